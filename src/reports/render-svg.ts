// Renders a Vega-Lite spec to SVG in Node with vega + vega-lite: no canvas package (text is measured by the
// deterministic table of text-width.ts), no network (a spec must carry its data inline; the loader refuses every
// URL) and no fonts to fetch (the SVG names the generic 'sans-serif' family).
// Vega numbers its clip paths and gradients with process-wide counters; they are reset before each render so the
// same spec always gives the same bytes (svg-ids.ts makes them unique when several SVGs share a page).
import * as vega from 'vega';
import {compile, type TopLevelSpec} from 'vega-lite';
import type {ChartSpec} from './charts.js';
import {estimateTextWidth} from './text-width.js';

/** An SVG document with the warnings Vega-Lite and Vega gave while compiling and rendering it. */
export interface RenderedSvg {
  svg: string;
  warnings: string[];
}

/** A logger that keeps warnings and errors as lines (Vega's and Vega-Lite's LoggerInterface). */
function collectingLogger(warnings: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const keep = (args: unknown[]): string => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger: vega.LoggerInterface = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(`error: ${keep(args)}`);
      return logger;
    },
    warn(...args: unknown[]) {
      if (level >= vega.Warn) warnings.push(keep(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** The text item properties Vega passes to its text-width function. */
interface TextItem {
  fontSize?: number | string | null;
  fontWeight?: number | string | null;
  limit?: number | null;
}

/**
 * Vega's text-width hook (vega-scenegraph `textMetrics.width`, the one tools like vl-convert replace): the width
 * of one line from the DejaVu Sans table instead of Vega's 0.8 em per character. Capped at the item's `limit`:
 * Vega truncates a label while its width is not below the limit, and then draws it (ellipsis included) within it.
 */
function textWidth(item: TextItem, line: unknown): number {
  const text = line === null || line === undefined ? '' : String(line).trim();
  const fontSize = item.fontSize === null || item.fontSize === undefined ? 11 : Number(item.fontSize) || 0;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const width = estimateTextWidth(text, fontSize, bold);
  const limit = Number(item.limit);
  return limit > 0 ? Math.min(width, limit) : width;
}

const textMetrics = (vega as unknown as {textMetrics: {width: (item: TextItem, line: unknown) => number}}).textMetrics;

/** A loader that refuses to load anything: report charts carry their data inline and must never fetch. */
function offlineLoader(): vega.Loader {
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`chart specs must carry their data inline (data.values); refusing to load ${uri}`);
  };
  return {load: refuse, sanitize: refuse, http: refuse, file: refuse};
}

/**
 * Compiles a Vega-Lite spec to a Vega spec, collecting Vega-Lite's warnings (an invalid encoding, a dropped
 * channel). Throws Vega-Lite's error, in one line, for a spec it cannot compile.
 */
export function compileVegaLite(spec: TopLevelSpec): {vega: vega.Spec; warnings: string[]} {
  const warnings: string[] = [];
  try {
    const compiled = compile(spec, {logger: collectingLogger(warnings)});
    return {vega: compiled.spec, warnings};
  } catch (error) {
    throw new Error(`invalid Vega-Lite chart spec: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document (same spec -> same bytes). Throws, in one line, when the
 * spec does not compile or asks to load data from a URL.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<RenderedSvg> {
  const {vega: compiled, warnings} = compileVegaLite(spec);
  // Vega only logs a failed load and draws an empty chart: refuse here, before anything is drawn.
  for (const data of compiled.data ?? []) {
    if ('url' in data && data.url !== undefined) {
      throw new Error(`chart specs must carry their data inline (data.values); refusing to load ${JSON.stringify(data.url)}`);
    }
  }
  vega.resetSVGDefIds();
  textMetrics.width = textWidth;
  const view = new vega.View(vega.parse(compiled), {renderer: 'none', loader: offlineLoader(), logger: collectingLogger(warnings)});
  try {
    const svg = await view.toSVG();
    return {svg, warnings};
  } finally {
    view.finalize();
  }
}

/** A chart with its SVG: what a report writes as `charts/<name>.vl.json` and `charts/<name>.svg`, and inlines. */
export interface RenderedChart extends ChartSpec {
  svg: string;
  warnings: string[];
}

/** Renders charts one after the other (Vega's id counters are process-wide), in their order. */
export async function renderCharts(charts: readonly ChartSpec[]): Promise<RenderedChart[]> {
  const rendered: RenderedChart[] = [];
  for (const chart of charts) rendered.push({...chart, ...(await renderSvg(chart.spec))});
  return rendered;
}
