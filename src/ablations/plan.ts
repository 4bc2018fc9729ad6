// A suite expanded into its runs, deterministically: datasets (in file order) x models (named variants, grid points,
// zip positions, baselines) x folds x seeds, each resolved to a run config and its run id (src/runs). Every run is
// resolved and checked before any dataset is read, so an invalid combination in run 37 is reported before run 1
// trains. Runs of different suites that resolve to the same config have the same id, hence the same directory.
import {readFile} from 'node:fs/promises';
import {readYamlMapping} from '../config/files.js';
import {join, resolve} from 'node:path';
import {PREPARED_IMAGE_CHANNELS} from '../datasets/cache-file.js';
import {resolveDataRoot} from '../datasets/data-root.js';
import {writeFileAtomic} from '../io/atomic-write.js';
import {canonicalJson} from '../io/canonical-json.js';
import {checkModelForData} from '../models/registry.js';
import {parseRunConfig, type RunConfig} from '../runs/config.js';
import {findRunById, runDirName} from '../runs/locate-run.js';
import {RunDir, runId} from '../runs/run-dir.js';
import {emptyValidationProblem, preparedDataOf} from '../runs/run-for-config.js';
import {requestTestSets, type ExternalTestSet} from '../runs/test-sets.js';
import {applyDatasetOverrides, loadSuite, SuiteError, type LoadedSuite} from './load-suite.js';
import type {ExecutorSettings} from './slurm/resources.js';
import {ensureOutputDir} from '../io/output-dir.js';

/** One run of a suite, resolved: what the executor trains. */
export interface PlannedRun {
  /** 12 hex (runId in src/runs/run-dir.ts); '' when the dataset is absent (see missingData). */
  runId: string;
  /** Absolute run directory: an existing one found by id, else <store>/<runDirName(config, id)>; '' when the dataset is absent. */
  dir: string;
  /** The resolved run config (src/runs/config.ts): what config.json holds. */
  config: RunConfig;
  /** The suite's name. */
  suite: string;
  /** 'full', 'w/o MIE', 'ld.largeKernel=13', or the baseline's name. */
  variant: string;
  kind: 'variant' | 'baseline';
  /** The dataset as the suite names it. */
  dataset: string;
  /** The k-fold fold (from 0), or null for the dataset's own split. */
  fold: number | null;
  seed: number;
  /** Null when the dataset is on this machine; else how to get it (the run cannot be identified or trained yet). */
  missingData: string | null;
  /** Images in each subset of the run's split (null when the dataset is absent). */
  images: {train: number; validation: number; test: number} | null;
  /** Extra test sets (the suite's `evaluate` for this dataset): the run is complete once evaluated on each. */
  testSets: ExternalTestSet[];
}

/** A suite's runs in their fixed order, and where they are stored. */
export interface SuitePlan {
  suite: string;
  /** Absolute path of the suite file. */
  file: string;
  /** SHA-256 of the suite file's bytes, for the manifest. */
  sha256: string;
  /** Absolute store folder (parent of run directories). */
  store: string;
  /** The variant paired comparisons are made against. */
  reference: string;
  runs: PlannedRun[];
  /** The suite file's `executor:` settings (resources on a cluster), when it has any. */
  executor?: ExecutorSettings;
}

/** The suite manifest, `<store>/suites/<name>.json`: which runs are the suite's own, in plan order. */
export interface SuiteManifest {
  formatVersion: 1;
  suite: string;
  file: string;
  sha256: string;
  reference: string;
  /** testSets: the names of the run's extra test sets (the suite's `evaluate`), present only when there are any. */
  runs: Array<{runId: string; variant: string; kind: 'variant' | 'baseline'; dataset: string; fold: number | null; seed: number; dir: string; testSets?: string[]}>;
}

/** A run resolved from the suite, before its data is read. */
type ResolvedRun = Omit<PlannedRun, 'runId' | 'dir' | 'images'>;

/**
 * Every run of the suite, resolved and checked against its data's shape (nothing read or written). Throws SuiteError
 * for a run that cannot train on its data, and for two runs with one resolved config (naming both).
 */
export function expandSuite(loaded: LoadedSuite): ResolvedRun[] {
  const {file, spec} = loaded;
  const folds = spec.folds === undefined ? [null] : Array.from({length: spec.folds}, (_, i) => i);
  const runs: ResolvedRun[] = [];
  // Resolved config -> the run it is: two entries of the suite that give one config are one run (one id, one
  // directory), which results would count twice. The suite's own checks (seeds, variants' model configs, datasets)
  // catch the known ways; this catches every other way, e.g. a dataset override that undoes the difference.
  const byConfig = new Map<string, string>();
  for (const dataset of loaded.datasets) {
    const extra = loaded.evaluate[dataset.name] ?? [];
    const testSets = extra.map((e) => ({name: e.name, dataset: e.ref}));
    // A run is complete only when evaluated on its extra test sets: one that is absent keeps it from starting.
    const absent = [dataset, ...extra].filter((d) => !d.present);
    const missingData = absent.length === 0 ? null : absent.map((d) => absent.length === 1 ? d.fetchHint : `${d.name}: ${d.fetchHint}`).join('; ');
    const withDataset = structuredClone(loaded.base);
    withDataset['data'] = {...(withDataset['data'] as object | undefined), dataset: dataset.ref};
    const protocol = applyDatasetOverrides(file, withDataset, dataset.name, spec.overrides[dataset.name] ?? {});
    for (const model of loaded.models) {
      for (const fold of folds) {
        for (const seed of spec.seeds) {
          const raw = structuredClone(protocol);
          const data = raw['data'] as Record<string, unknown>;
          if (fold !== null) data['split'] = {...(data['split'] as object | undefined), method: 'kfold', folds: spec.folds, fold};
          raw['seed'] = seed;
          raw['model'] = structuredClone(model.model);
          const label = `${model.kind} '${model.name}' on ${dataset.name}${fold === null ? '' : ` fold ${fold}`}`;
          let config: RunConfig;
          try {
            config = parseRunConfig(raw);
            checkModelForData(config.model, {size: config.data.size, imageChannels: PREPARED_IMAGE_CHANNELS, maskChannels: 1});
          } catch (error) {
            throw new SuiteError(`${file}: ${label}: ${(error as Error).message.split('\n')[0]}`);
          }
          const key = canonicalJson(config);
          const twin = byConfig.get(key);
          if (twin !== undefined) {
            throw new SuiteError(`${file}: ${twin} and ${label} seed ${seed} resolve to the same run config (one run, which results would count twice): make them differ or remove one`);
          }
          byConfig.set(key, `${label} seed ${seed}`);
          runs.push({config, suite: spec.name, variant: model.name, kind: model.kind, dataset: dataset.name, fold, seed,
            missingData, testSets});
        }
      }
    }
  }
  return runs;
}

/**
 * Reads, validates and expands a suite, and identifies each run in `options.store` (preparing each dataset's cache
 * and split once per (dataset, size, split): the synthetic dataset is generated on first use). Writes nothing in the
 * store. Throws SuiteError (one line, exit 2) for an invalid suite, before any dataset is read: two entries that
 * resolve to one run, a name the store already gives another suite file (refuseNameOfAnotherSuite); and, once the
 * splits are made, before anything trains: a run with eval.checkpoint 'best' whose split has no validation images.
 * DatasetError for a dataset that is there but unreadable. A dataset that is absent gives runs with `missingData` set.
 */
export async function planSuite(file: string, options: {store: string; dataRoot?: string; onStage?: (m: string) => void}): Promise<SuitePlan> {
  const dataRoot = resolveDataRoot(options.dataRoot);
  const store = resolve(options.store);
  const loaded = await loadSuite(file, {dataRoot});
  await refuseNameOfAnotherSuite(store, loaded);
  const resolved = expandSuite(loaded);
  const keys = new Map<string, ReturnType<typeof preparedDataOf>>();
  const runs: PlannedRun[] = [];
  for (const run of resolved) {
    if (run.missingData !== null && !datasetPresent(loaded, run.dataset)) {
      runs.push({...run, runId: '', dir: '', images: null});
      continue;
    }
    const {data} = run.config;
    const memo = canonicalJson({dataset: data.dataset, size: data.size, split: data.split, splitFile: data.splitFile});
    if (!keys.has(memo)) {
      options.onStage?.(`preparing ${run.dataset} at ${data.size} px${run.fold === null ? '' : ` (fold ${run.fold})`}`);
      keys.set(memo, preparedDataOf(run.config, dataRoot));
    }
    const {datasetKey, images} = await keys.get(memo)!;
    // Found before any run trains, not as a missing best.ckpt after the first one has.
    const problem = emptyValidationProblem(run.config, images);
    if (problem !== undefined) throw new SuiteError(`${loaded.file}: ${run.kind} '${run.variant}' on ${run.dataset}: ${problem}`);
    const id = runId(run.config, datasetKey);
    runs.push({...run, runId: id, dir: (await findRunById(store, id)) ?? join(store, runDirName(run.config, id)), images});
  }
  return {suite: loaded.spec.name, file: loaded.file, sha256: loaded.sha256, store, reference: loaded.reference, runs,
    ...(loaded.spec.executor ? {executor: loaded.spec.executor} : {})};
}

/**
 * Throws SuiteError when the store holds the manifest of another suite file with this suite's name: writing ours
 * would replace it, and the other suite's report would show our runs. Not another suite: the same file (edited or
 * not), a file with the same bytes (the same file moved), and a file that no longer exists or no longer has this
 * name (the suite was moved and edited, or renamed). A manifest that cannot be read is left to be rewritten.
 */
async function refuseNameOfAnotherSuite(store: string, loaded: LoadedSuite): Promise<void> {
  const name = loaded.spec.name;
  const path = suiteManifestPath(store, name);
  const other = await readFile(path, 'utf8').then((text) => JSON.parse(text) as Partial<SuiteManifest>, () => undefined);
  if (typeof other?.file !== 'string' || other.file === loaded.file || other.sha256 === loaded.sha256) return;
  const otherName = await readYamlMapping(other.file).then((raw) => raw['name'], () => undefined);
  if (otherName !== name) return;
  throw new SuiteError(`${loaded.file}: name: '${name}' is already the name of another suite in the store, ${other.file} (manifest ${path}): their runs and reports would be mixed up; give this suite its own name, or use another --store`);
}

/** Whether a suite's training dataset is on this machine (its runs can be identified even if a test set is absent). */
function datasetPresent(loaded: LoadedSuite, name: string): boolean {
  return loaded.datasets.find((d) => d.name === name)?.present ?? false;
}

/** Where a suite's manifest is: `<store>/suites/<name>.json`. */
export function suiteManifestPath(store: string, suite: string): string {
  return join(store, 'suites', `${suite}.json`);
}

/** Writes the suite manifest atomically (see SuiteManifest). Throws when a run's dataset is absent. */
export async function writeSuiteManifest(plan: SuitePlan): Promise<string> {
  refuseMissingData(plan);
  const manifest: SuiteManifest = {
    formatVersion: 1, suite: plan.suite, file: plan.file, sha256: plan.sha256, reference: plan.reference,
    runs: plan.runs.map((r) => ({runId: r.runId, variant: r.variant, kind: r.kind, dataset: r.dataset, fold: r.fold, seed: r.seed, dir: r.dir,
      ...(r.testSets.length > 0 ? {testSets: r.testSets.map((s) => s.name)} : {})})),
  };
  const path = suiteManifestPath(plan.store, plan.suite);
  await ensureOutputDir(join(plan.store, 'suites'));
  await writeFileAtomic(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}

/** Throws one line naming the datasets a plan lacks and how to get them. */
function refuseMissingData(plan: SuitePlan): void {
  const missing = new Map(plan.runs.filter((r) => r.missingData !== null).map((r) => [r.dataset, r.missingData!]));
  if (missing.size > 0) {
    throw new Error(`${plan.file}: ${missing.size === 1 ? 'a dataset is' : 'datasets are'} not on this machine: ${[...missing].map(([d, how]) => `${d} (${how})`).join('; ')}; nothing was started`);
  }
}

/**
 * Writes the suite manifest, config.json (the resolved config) into the directory of each run that is not done
 * yet: a "prepared" run, which `mslk run-one <dir>` trains; and each run's extra test sets into its test-sets.json
 * (a done run included: it is evaluated on them, not trained again). An existing config.json is left as it is
 * (same id, same config). Throws, writing nothing, when a run's dataset or one of its test sets is absent.
 */
export async function prepareRunDirs(plan: SuitePlan): Promise<void> {
  await writeSuiteManifest(plan);
  for (const run of plan.runs) {
    const dir = new RunDir(run.dir);
    if ((await dir.status())?.state !== 'done') {
      await ensureOutputDir(run.dir);
      const existing = await dir.readJson<RunConfig>('config').catch(() => undefined);
      if (existing === undefined) await dir.writeJson('config', run.config);
    }
    if (run.testSets.length > 0) await requestTestSets(run.dir, run.testSets);
  }
}
