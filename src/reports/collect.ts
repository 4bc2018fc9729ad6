// Run directories -> the report model (model.ts). The source is a suite (its manifest in the store lists its runs
// in plan order: `mslk ablate` wrote it) or a folder of run directories (every run in it; variants are told apart by
// the knobs that differ between runs). Every run of the source becomes a RunRow, done or not, with the reason it is
// not done; done runs add their per-image test rows, training curve and costs. Nothing is written: model costs come
// from the store's calibration cache (`ablate` fills it) and are counted afresh where it has none, without writing
// it back. Latency is read from that cache only (measured by `ablate`, never here), so that two reports of the same
// runs are byte-identical; absent, it is null and the report says why. Aggregation over seeds is aggregate.ts's.
import {readFile, readdir, stat} from 'node:fs/promises';
import {basename, join, resolve} from 'node:path';
import {activeBackendName} from '../engine/backends.js';
import {openCalibration, effectiveBatch, formatState, plannedRunState, type ModelCalibration} from '../ablations/plan-status.js';
import {suiteManifestPath, type SuiteManifest} from '../ablations/plan.js';
import {formatAxisValue, loadSuite} from '../ablations/load-suite.js';
import {resolveDataRoot} from '../datasets/data-root.js';
import type {RunConfig} from '../runs/config.js';
import {readMetricsIndex, readRunEvaluation, type EvaluationSummary} from '../runs/evaluation-summary.js';
import {datasetNamePart, findRunById, runIdOfName} from '../runs/locate-run.js';
import {describeProtocol} from '../runs/protocol.js';
import {RunDir} from '../runs/run-dir.js';
import {labelVariant} from '../models/registry.js';
import {OWN_TEST_SET, summariseRuns} from './aggregate.js';
import {literatureFor, readLiterature} from './literature.js';
import {readImageScores} from './per-image-file.js';
import type {PerImageRow, ReportModel, ReportSource, RunRow, TrainingCurve} from './model.js';

/** Options of collectReport. */
export interface CollectOptions {
  /** The run store a suite's manifest is in (default `runs`, as `mslk ablate`). */
  store?: string;
  /**
   * Count each model's parameters and GFLOPs (from the store's calibration cache, else by building the model once)
   * and read its batch-1 inference latency from that cache (never measured here); default true.
   */
  costs?: boolean;
  /** Folder of literature files (default: the shipped configs/literature). */
  literatureDir?: string;
  /** Progress messages (counting a model, ...). */
  onStage?: (message: string) => void;
}

/**
 * A run to read: where it is and what the source says it is (the identifying fields of its RunRow, and the extra
 * test sets the suite asks of it: its manifest's `testSets`; undefined for a runs folder).
 */
type RunRef = Pick<RunRow, 'runId' | 'dir' | 'variant' | 'kind' | 'dataset' | 'fold' | 'seed' | 'testSets'>;

/** What manifest.json holds that the report uses (written by src/runs/train-run.ts). */
interface RunManifestFields {
  backend?: string;
  git?: {commit?: string} | null;
  dataset?: {fingerprint?: string};
  split?: {counts?: {train?: number}};
  trainingSeconds?: number;
}

/** One entry of metrics.json's `evaluations` (format 2); an extra test set's carries its name as `testSet`. */
interface EvaluationEntry {
  split: string;
  checkpoint: string;
  summary: string;
  perImageCsv: string;
  testSet?: string;
}

/**
 * Gathers the report model of `source`: a suite file (YAML) or a suite's name, whose manifest is read from
 * `<store>/suites/<name>.json`, or a folder of run directories. Throws one line when a suite has no manifest in the
 * store (run `mslk ablate <suite>` first), when the folder holds no run directory, or when the source is neither.
 * A run whose files are damaged is shown with the problem as its reason, never dropped.
 */
export async function collectReport(source: string, o: CollectOptions = {}): Promise<ReportModel> {
  const store = resolve(o.store ?? 'runs');
  const info = await stat(source).catch(() => undefined);
  let refs: RunRef[];
  let title: string;
  let reference: string | null;
  let reportSource: ReportSource;
  if (info?.isDirectory()) {
    refs = await runsOfFolder(source);
    title = basename(resolve(source));
    reference = null;
    reportSource = {kind: 'runs', path: resolve(source), sha256: null};
  } else {
    const {manifest, fileSha256} = await readSuiteManifest(source, info?.isFile() === true, store);
    if (fileSha256 !== undefined && fileSha256 !== manifest.sha256) {
      o.onStage?.(`warning: ${source} changed since \`mslk ablate\` wrote the manifest of suite '${manifest.suite}': the report shows the runs of the manifest; run \`mslk ablate ${source}\` to bring them up to date`);
    }
    // A run is found by its id when its directory was renamed or moved within the store since the manifest was written.
    refs = await Promise.all(manifest.runs.map(async (r) => ({
      ...r, testSets: r.testSets ?? [], dir: (await stat(r.dir).catch(() => undefined)) !== undefined ? r.dir : (await findRunById(store, r.runId).catch(() => undefined)) ?? r.dir,
    })));
    // A model the suite names by its family ('emcad') is shown by the family's label ('EMCAD (scratch)'), the
    // reference too, so that every row, curve and comparison uses one name.
    const labels = await suiteVariantLabels(refs);
    refs = refs.map((r) => ({...r, variant: labels.get(r.variant) ?? r.variant}));
    title = manifest.suite;
    reference = manifest.reference === null ? null : labels.get(manifest.reference) ?? manifest.reference;
    reportSource = {kind: 'suite', path: manifest.file, sha256: manifest.sha256};
  }
  // Costs come from the calibration cache of the store the runs are in (a runs folder is its own store).
  const calibration = o.costs === false ? undefined : await openCalibration(reportSource.kind === 'runs' ? reportSource.path : store, o.onStage);
  const runs: RunRow[] = [];
  const perImage: PerImageRow[] = [];
  const curves: TrainingCurve[] = [];
  const families = new Map<string, string>();
  const configs: RunConfig[] = [];
  for (const ref of refs) {
    const collected = await collectRun(ref, calibration);
    if (collected.config !== undefined) configs.push(collected.config);
    runs.push(collected.run);
    perImage.push(...collected.perImage);
    if (collected.curve.epochs.length > 0) curves.push(collected.curve);
    if (!families.has(ref.variant)) families.set(ref.variant, collected.run.model);
  }
  const unetBaseline = [...families].find(([variant, family]) =>
    family === 'unet' && runs.some((r) => r.variant === variant && r.kind === 'baseline'))?.[0] ?? null;
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  return {
    title, source: reportSource, latencyBackend: calibration === undefined ? null : activeBackendName(), reference, unetBaseline,
    protocol: describeProtocol(configs) || null, runs, summary: summariseRuns(runs, perImage), perImage,
    comparisons: [], curves, ranks: null, rankStability: [],
    literature: literatureFor(await readLiterature(o.literatureDir), datasets),
  };
}

/** Suite names -> the names reports show (labelVariant), from the config.json of each name's first readable run. */
async function suiteVariantLabels(refs: readonly RunRef[]): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  const seen = new Set<string>();
  for (const ref of refs) {
    if (seen.has(ref.variant)) continue;
    const config = await new RunDir(ref.dir).readJson<RunConfig>('config').catch(() => undefined);
    if (config?.model === undefined) continue;
    seen.add(ref.variant);
    const label = labelVariant(ref.variant, config.model);
    if (label !== ref.variant) labels.set(ref.variant, label);
  }
  return labels;
}

/** The manifest of a suite given as a file (its `name:`; with the file's SHA-256) or as a name. */
async function readSuiteManifest(source: string, isFile: boolean, store: string): Promise<{manifest: SuiteManifest; fileSha256?: string}> {
  const loaded = isFile ? await loadSuite(source, {dataRoot: resolveDataRoot()}) : undefined;
  const name = loaded?.spec.name ?? source;
  if (!isFile && (/[\\/]/.test(source) || /\.ya?ml$/.test(source))) {
    throw new Error(`${source}: no such suite file or runs folder: pass a suite file (configs/suites/*.yaml), a suite's name, or a folder of run directories`);
  }
  const path = suiteManifestPath(store, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`suite '${name}' has no manifest in ${store} (${path}): run \`mslk ablate ${isFile ? source : `<suite file of ${name}>`}\` first${isFile ? '' : ', or pass the suite file or a runs folder'} (or --store <the store it ran in>)`);
  }
  try {
    const manifest = JSON.parse(text) as SuiteManifest;
    if (manifest.formatVersion !== 1 || !Array.isArray(manifest.runs)) throw new Error('unknown format');
    return loaded === undefined ? {manifest} : {manifest, fileSha256: loaded.sha256};
  } catch (error) {
    throw new Error(`${path}: not a suite manifest (${(error as Error).message}): run \`mslk ablate ${isFile ? source : '<suite file>'}\` again to rewrite it`);
  }
}

/** The dotted keys of a config's leaves (arrays are leaves) with their values. */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, value);
  return out;
}

/** Keys that identify a run's data and repetition, not its variant: seeds, folds and the dataset are columns of their own. */
const IDENTITY_KEYS = new Set(['seed', 'data.dataset', 'data.splitFile', 'data.split.fold']);

/**
 * The runs of a folder of run directories (every subfolder holding config.json whose name ends in a run id), in a
 * fixed order: dataset, model family, variant, fold, seed, run id. A run's variant is its model family plus the knobs
 * that differ between runs (model keys compared within the family, without the `model.` prefix; the others across
 * all runs) where the run departs from the knob's most common value, e.g. `ms-lkseg mie.enabled=false`; runs differing only in seed (or fold) are one variant. U-Net runs are
 * baselines when other families are present. A family with a label shows it in place of its name (labelVariant:
 * `EMCAD (scratch)`, `EMCAD (ImageNet) cab=false`), and the weights file is named only when the family's runs used
 * several.
 */
async function runsOfFolder(folder: string): Promise<RunRef[]> {
  const entries = await readdir(folder, {withFileTypes: true});
  const found: Array<{dir: string; runId: string; config: RunConfig}> = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const runId = runIdOfName(entry.name);
    if (runId === undefined) continue;
    const dir = resolve(folder, entry.name);
    const config = await new RunDir(dir).readJson<RunConfig>('config').catch(() => undefined);
    if (config?.model === undefined) continue;
    found.push({dir, runId, config});
  }
  if (found.length === 0) {
    throw new Error(`${folder}: no run directories in it (folders named <model>-<dataset>-s<seed>-<run id> holding config.json): pass a run store such as runs/, or a suite file`);
  }
  const flat = found.map((f) => leaves(f.config, '', new Map()));
  const allKeys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  const differs = (key: string, among: number[]): boolean =>
    new Set(among.map((i) => JSON.stringify(flat[i]!.get(key) ?? null))).size > 1;
  const everyone = found.map((_, i) => i);
  // A knob is named only where a run departs from its most common value (ties: the first in JSON order), so the
  // full model is `ms-lkseg` and an ablation `ms-lkseg mie.enabled=false`; runs that differ still get distinct names.
  const mostCommon = (key: string, among: number[]): string => {
    const counts = new Map<string, number>();
    for (const j of among) {
      const value = JSON.stringify(flat[j]!.get(key) ?? null);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]![0];
  };
  // Scratch or ImageNet is in the family's label ('EMCAD (ImageNet)'): the weights file is named only when runs of
  // the family used different ones.
  const weightFiles = (among: number[]): number => new Set(among.map((j) => flat[j]!.get('model.pretrained')).filter((v) => typeof v === 'string')).size;
  const families = [...new Set(found.map((f) => f.config.model.model))];
  const refs = found.map((f, i) => {
    const family = f.config.model.model;
    const sameFamily = everyone.filter((j) => found[j]!.config.model.model === family);
    const knobs = allKeys.filter((key) => !IDENTITY_KEYS.has(key) && key !== 'model.model' &&
      (key.startsWith('model.') ? differs(key, sameFamily) : differs(key, everyone)));
    const parts = knobs.filter((key) => flat[i]!.has(key) && JSON.stringify(flat[i]!.get(key)) !== mostCommon(key, key.startsWith('model.') ? sameFamily : everyone))
      .filter((key) => key !== 'model.pretrained' || weightFiles(sameFamily) > 1)
      .map((key) => key === 'model.pretrained' ? `pretrained=${basename(String(flat[i]!.get(key)))}` : `${key.replace(/^model\./, '')}=${formatAxisValue(flat[i]!.get(key))}`);
    const fold = f.config.data.split.method === 'kfold' ? (f.config.data.split as {fold?: number}).fold ?? null : null;
    return {
      runId: f.runId, dir: f.dir, variant: labelVariant(parts.length === 0 ? family : `${family} ${parts.join(',')}`, f.config.model),
      kind: family === 'unet' && families.length > 1 ? 'baseline' as const : 'variant' as const,
      dataset: datasetNamePart(f.config.data.dataset), fold, seed: f.config.seed, family,
    };
  });
  const order = (r: (typeof refs)[number]) => [r.dataset, r.kind === 'baseline' ? '1' : '0', r.family, r.variant, String(r.fold ?? -1).padStart(4, '0'), String(r.seed).padStart(10, '0'), r.runId];
  refs.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
  return refs.map(({family: _family, ...ref}) => ref);
}

/** One run's row, per-image rows and curve. */
async function collectRun(ref: RunRef, calibration: ModelCalibration | undefined): Promise<{run: RunRow; perImage: PerImageRow[]; curve: TrainingCurve; config?: RunConfig}> {
  const dir = new RunDir(ref.dir);
  const config = await dir.readJson<RunConfig>('config').catch(() => undefined);
  const manifest = await dir.readJson<RunManifestFields>('manifest').catch(() => undefined);
  const curve: TrainingCurve = {runId: ref.runId, variant: ref.variant, dataset: ref.dataset, seed: ref.seed, epochs: await curveOf(dir)};
  const run: RunRow = {
    ...ref, model: config?.model.model ?? 'unknown', state: 'pending', reason: null, test: null, params: null, gflops: null, latencyMs: null,
    trainingSeconds: null, backend: manifest?.backend ?? null, commit: manifest?.git?.commit ?? null,
    datasetFingerprint: manifest?.dataset?.fingerprint ?? null,
  };
  const perImage: PerImageRow[] = [];
  if (config === undefined) {
    const exists = (await stat(ref.dir).catch(() => undefined))?.isDirectory() === true;
    run.state = 'missing';
    run.reason = exists ? `no readable config.json in ${ref.dir}: run \`mslk ablate\` on the suite again to prepare it`
      : `run directory not found (${ref.dir}): run \`mslk ablate\` on the suite again`;
    return {run, perImage, curve};
  }
  if (calibration !== undefined) {
    const cost = await calibration.calibrate(config.model, config.data.size, effectiveBatch(config.train.batchSize, manifest?.split?.counts?.train), config.train, false);
    run.params = cost.params;
    run.gflops = cost.flops / 1e9;
    run.latencyMs = calibration.cachedLatency(config.model, config.data.size) ?? null;
  }
  // A trained run is reported as done: its extra test sets show as missing rows of their own test set until evaluated.
  const state = await plannedRunState({missingData: null, dir: ref.dir, config, testSets: []});
  const epochs = config.train.epochs;
  if (state.state !== 'done' && state.state !== 'to evaluate') {
    // The store alone never says 'queued' (only a scheduler's view does): a queued run is not trained yet.
    // A run whose evaluation files failed verification shows no number until `ablate` evaluated it again.
    run.state = state.state === 'no data' || state.state === 'to repair' ? 'missing' : state.state === 'queued' ? 'pending' : state.state;
    run.reason = state.state === 'pending' ? 'not trained yet'
      : state.state === 'to repair' ? `${state.reason} in ${ref.dir}: run \`mslk ablate\` on the suite to evaluate its checkpoint again`
      : state.state === 'partial' ? `partial at epoch ${state.epoch}/${epochs}`
        : state.state === 'running' ? `running (${state.owner}) at epoch ${state.epoch}/${epochs}`
          : state.state === 'failed' ? state.reason : formatState(state);
    return {run, perImage, curve, config};
  }
  run.state = 'done';
  run.trainingSeconds = manifest?.trainingSeconds ?? null;
  const checkpoint = config.eval.checkpoint;
  try {
    const summary = await readRunEvaluation(ref.dir, 'test', checkpoint);
    run.test = testMetrics(summary);
    if (summary.perImageCsv !== null) perImage.push(...await perImageRows(join(ref.dir, summary.perImageCsv), ref, OWN_TEST_SET));
  } catch (error) {
    run.test = null;
    run.reason = `done, but its test evaluation cannot be read: ${(error as Error).message.split('\n')[0]}`;
  }
  // A run shared with another suite may hold that suite's test sets too: a suite's report shows its own.
  const extras = (await extraEvaluations(ref.dir, checkpoint)).filter((e) => ref.testSets === undefined || ref.testSets.includes(e.testSet));
  for (const extra of extras) {
    try {
      perImage.push(...await perImageRows(join(ref.dir, extra.perImageCsv), ref, extra.testSet));
    } catch (error) {
      run.reason = `${run.reason === null ? '' : `${run.reason}; `}evaluation on ${extra.testSet} unreadable: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return {run, perImage, curve, config};
}

/** The headline numbers of a test summary (per-image means; HD95 over pairs where both masks are non-empty). */
function testMetrics(summary: EvaluationSummary): NonNullable<RunRow['test']> | null {
  const m = summary.metrics.perImageMean;
  if (summary.images === 0 || m.dice.mean === null || m.iou.mean === null) return null;
  return {dice: m.dice.mean, iou: m.iou.mean, precision: m.precision.mean ?? 0, recall: m.recall.mean ?? 0,
    hd95: summary.metrics.hd95NonEmptyPairs.mean, images: summary.images};
}

/** metrics.json entries for extra test sets (any split other than validation and test) at the run's checkpoint. */
async function extraEvaluations(runDir: string, checkpoint: string): Promise<Array<EvaluationEntry & {testSet: string}>> {
  const index = await readMetricsIndex(runDir).catch(() => undefined) as {evaluations?: unknown} | undefined;
  const entries = Array.isArray(index?.evaluations) ? index.evaluations as EvaluationEntry[] : [];
  return entries.filter((e): e is EvaluationEntry & {testSet: string} => typeof e.testSet === 'string' &&
    e.checkpoint === checkpoint && typeof e.perImageCsv === 'string');
}

/** The rows of a per-image CSV as the report's per-image rows of `ref` on `testSet`. */
async function perImageRows(file: string, ref: RunRef, testSet: string): Promise<PerImageRow[]> {
  return (await readImageScores(file)).map((score) => ({
    runId: ref.runId, variant: ref.variant, dataset: ref.dataset, testSet, fold: ref.fold, seed: ref.seed, ...score,
  }));
}

/** The training curve from log.jsonl (lines that do not parse are skipped: the log is a record, not a source of truth). */
async function curveOf(dir: RunDir): Promise<TrainingCurve['epochs']> {
  const epochs: TrainingCurve['epochs'] = [];
  for (const line of await dir.logLines()) {
    try {
      const entry = JSON.parse(line) as {epoch?: unknown; trainLoss?: unknown; valDice?: unknown};
      if (typeof entry.epoch !== 'number' || typeof entry.trainLoss !== 'number' || !Number.isFinite(entry.trainLoss)) continue;
      epochs.push({epoch: entry.epoch, trainLoss: entry.trainLoss, valDice: typeof entry.valDice === 'number' && Number.isFinite(entry.valDice) ? entry.valDice : null});
    } catch {
      continue;
    }
  }
  return epochs;
}
