// `mslk compare <runA> <runB>`: two runs' test metrics side by side, and their per-image Dice paired over the test
// images they share (matched by image id). pairImageScores is the one place pairs are formed: the statistics
// (Wilcoxon signed-rank, bootstrap CI; src/reports/stats/) take its `differences`.
import {bootstrapMeanCi} from './stats/bootstrap.js';
import {wilcoxonSignedRank} from './stats/wilcoxon.js';
import {join} from 'node:path';
import type {RunConfig} from '../runs/config.js';
import {readRunEvaluation} from '../runs/evaluation-summary.js';
import {locateRun} from '../runs/locate-run.js';
import {RunDir, RunNotFoundError} from '../runs/run-dir.js';
import {fraction, pixels, signedFixed, pValueText} from './number-format.js';
import {readImageScores, type ImageScore} from './per-image-file.js';
import {alignColumns} from '../ablations/plan-table.js';

/** One image in both runs: its Dice in A and in B, and B minus A. */
export interface ImagePair {
  image: string;
  a: number;
  b: number;
  /** b - a. */
  difference: number;
}

/** Per-image Dice of two evaluations, paired by image id. */
export interface PairedImages {
  /** In A's order. */
  pairs: ImagePair[];
  /** B - A per pair, in the order of `pairs`: what a paired test takes. */
  differences: number[];
  /** Mean of `differences`; null when no image is in both. */
  meanDifference: number | null;
  /** Image ids in only one of the two (a different test split, or an evaluation cut short). */
  onlyInA: string[];
  onlyInB: string[];
}

/**
 * Pairs two lists of per-image scores by image id (A's order). Throws RangeError when an image id appears twice in
 * one list (pairs would be ambiguous).
 */
export function pairImageScores(a: readonly Pick<ImageScore, 'image' | 'dice'>[], b: readonly Pick<ImageScore, 'image' | 'dice'>[]): PairedImages {
  const index = (list: readonly Pick<ImageScore, 'image' | 'dice'>[], name: string) => {
    const map = new Map<string, number>();
    for (const s of list) {
      if (map.has(s.image)) throw new RangeError(`image '${s.image}' appears twice in run ${name}'s per-image scores`);
      map.set(s.image, s.dice);
    }
    return map;
  };
  const inA = index(a, 'A');
  const inB = index(b, 'B');
  const pairs = a.flatMap((s) => (inB.has(s.image) ? [{image: s.image, a: s.dice, b: inB.get(s.image)!, difference: inB.get(s.image)! - s.dice}] : []));
  const differences = pairs.map((p) => p.difference);
  return {
    pairs, differences,
    meanDifference: differences.length > 0 ? differences.reduce((x, y) => x + y, 0) / differences.length : null,
    onlyInA: a.filter((s) => !inB.has(s.image)).map((s) => s.image),
    onlyInB: b.filter((s) => !inA.has(s.image)).map((s) => s.image),
  };
}

/** One side of a comparison: the run and its test metrics (per-image means at original resolution). */
export interface ComparedRun {
  runId: string;
  dir: string;
  model: string;
  dataset: string;
  seed: number;
  checkpoint: 'last' | 'best';
  epoch: number;
  images: number;
  metrics: {dice: number | null; iou: number | null; precision: number | null; recall: number | null; hd95: number | null};
  scores: ImageScore[];
  /** manifest.json's dataset fingerprint (null when the manifest lacks it): images pair only within one dataset. */
  fingerprint: string | null;
}

/** The result of compareRuns. */
export interface RunComparison {
  a: ComparedRun;
  b: ComparedRun;
  paired: PairedImages;
  /**
   * Over the paired images (null when none): the seeded paired bootstrap 95% CI of the mean difference (B - A) and
   * the two-sided Wilcoxon signed-rank test (stats/bootstrap.ts, stats/wilcoxon.ts). One comparison: no correction.
   */
  statistics: {ci: [number, number]; p: number; pMethod: 'exact' | 'normal'} | null;
}

/** The bootstrap seed of `mslk compare` (fixed: the same two runs always give the same interval). */
export const COMPARE_SEED = 20251;

async function comparedRun(ref: string, runsParent: string): Promise<ComparedRun> {
  const dir = await locateRun(ref, runsParent);
  const config = await new RunDir(dir).readJson<RunConfig>('config').catch(() => {
    throw new RunNotFoundError(`${ref}: no readable config.json in ${dir}: pass a run directory \`mslk train\` or \`mslk ablate\` wrote`);
  });
  const summary = await readRunEvaluation(dir, 'test', config.eval.checkpoint);
  const manifest = await new RunDir(dir).readJson<{dataset?: {fingerprint?: string}}>('manifest').catch(() => undefined);
  const m = summary.metrics.perImageMean;
  const scores = summary.perImageCsv === null ? [] : await readImageScores(join(dir, summary.perImageCsv));
  return {
    runId: summary.runId, dir, model: config.model.model, dataset: config.data.dataset, seed: config.seed, checkpoint: summary.checkpoint,
    epoch: summary.epoch, images: summary.images, scores, fingerprint: manifest?.dataset?.fingerprint ?? null,
    metrics: {dice: m.dice.mean, iou: m.iou.mean, precision: m.precision.mean, recall: m.recall.mean, hd95: summary.metrics.hd95NonEmptyPairs.mean},
  };
}

/**
 * Reads the test evaluation (at each run's eval.checkpoint) of two runs, given as run directories, `runs/<id>` or
 * bare ids (looked up in `runsParent`), and pairs their per-image Dice. Throws one line when a run cannot be found
 * or was not evaluated on its test split (naming `mslk eval`).
 */
export async function compareRuns(refA: string, refB: string, runsParent = 'runs'): Promise<RunComparison> {
  const a = await comparedRun(refA, runsParent);
  const b = await comparedRun(refB, runsParent);
  // Images are matched by name: two datasets can share names (numbered files) without being one image.
  const sameData = a.fingerprint === null || b.fingerprint === null || a.fingerprint === b.fingerprint;
  const paired = pairImageScores(a.scores, sameData ? b.scores : []);
  let statistics: RunComparison['statistics'] = null;
  if (paired.differences.length > 0) {
    const ci = bootstrapMeanCi(paired.differences, {seed: COMPARE_SEED});
    const test = wilcoxonSignedRank(paired.differences);
    statistics = {ci: [ci.low, ci.high], p: test.p, pMethod: test.method};
  }
  return {a, b, paired, statistics};
}

/** The comparison as terminal lines: the metrics side by side with B - A, then the paired per-image difference. */
export function formatRunComparison(c: RunComparison): string {
  const row = (label: string, a: number | null, b: number | null, format: (v: number | null) => string, digits = 4) =>
    [label, format(a) || '-', format(b) || '-', a !== null && b !== null ? signedFixed(b - a, digits) : '-'];
  const {a, b, paired} = c;
  const lines = alignColumns([
    ['', `A ${a.runId}`, `B ${b.runId}`, 'B - A'],
    ['model', a.model, b.model, ''],
    ['dataset', a.dataset, b.dataset, ''],
    ['seed', String(a.seed), String(b.seed), ''],
    ['checkpoint', `${a.checkpoint} (epoch ${a.epoch})`, `${b.checkpoint} (epoch ${b.epoch})`, ''],
    ['test images', String(a.images), String(b.images), ''],
    row('mDice', a.metrics.dice, b.metrics.dice, fraction),
    row('mIoU', a.metrics.iou, b.metrics.iou, fraction),
    row('precision', a.metrics.precision, b.metrics.precision, fraction),
    row('recall', a.metrics.recall, b.metrics.recall, fraction),
    row('HD95 px', a.metrics.hd95, b.metrics.hd95, pixels, 2),
  ]);
  if (a.fingerprint !== null && b.fingerprint !== null && a.fingerprint !== b.fingerprint) {
    lines.push('', `The runs were trained and tested on different data (dataset fingerprints ${a.fingerprint.slice(0, 12)} and ${b.fingerprint.slice(0, 12)}): no paired difference.`);
  } else if (paired.meanDifference === null) {
    lines.push('', 'No test image is in both runs (different datasets or splits): no paired difference.');
  } else {
    const better = paired.differences.filter((d) => d > 0).length;
    const worse = paired.differences.filter((d) => d < 0).length;
    lines.push('', `Paired over ${paired.pairs.length} test images: mean Dice difference (B - A) ${signedFixed(paired.meanDifference)}; B better on ${better}, worse on ${worse}, equal on ${paired.pairs.length - better - worse}.`);
    if (c.statistics !== null) {
      const {ci, p, pMethod} = c.statistics;
      lines.push(`95% paired bootstrap CI [${signedFixed(ci[0])}, ${signedFixed(ci[1])}]; two-sided Wilcoxon signed-rank p ${pValueText(p).startsWith('<') ? pValueText(p) : `= ${pValueText(p)}`} (${pMethod}).`);
    }
  }
  if (paired.onlyInA.length + paired.onlyInB.length > 0 && paired.meanDifference !== null) {
    lines.push(`Not paired: ${paired.onlyInA.length} image(s) only in A, ${paired.onlyInB.length} only in B.`);
  }
  return lines.join('\n');
}
