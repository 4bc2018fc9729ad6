// Reading and validating a suite file before anything runs: the schema, then every reference in it (base files,
// model configs, datasets, baselines, reference, per-dataset keys), then the variants' model configs. Every error
// is a SuiteError: one line naming the file, the key and the fix; the CLI exits with 2 on it.
import {createHash} from 'node:crypto';
import {readFile, stat} from 'node:fs/promises';
import {basename, dirname, extname, isAbsolute, join, resolve} from 'node:path';
import {checkSiblingBases, displayPath, leavesOf} from '../config/base-conflicts.js';
import {mergeConfigs, nestModelConfig, PACKAGE_CONFIGS, readConfigTree, readYamlMapping} from '../config/files.js';
import {checkConfigKey, parseKeyPath, setAtKeyPath, type PlainConfig} from '../config/key-path.js';
import {nearestName} from '../config/nearest-name.js';
import {escapeInvisible, firstInvisible} from '../config/visible-text.js';
import {ConfigError, describeIssue} from '../config/parse.js';
import {canonicalJson} from '../io/canonical-json.js';
import {readRawModelConfig} from '../models/load-config.js';
import {isModelName, MODEL_NAMES, parseModelConfig} from '../models/registry.js';
import {DATASETS, findDatasetEntry} from '../datasets/registry.js';
import {readImportRecord} from '../datasets/imported.js';
import {testSetStem} from '../runs/evaluation-summary.js';
import {suiteSchema, type SuiteFile} from './suite-schema.js';

/** An invalid suite: one line naming the file, the key and the fix. Exit code 2 (the command line cannot run). */
export class SuiteError extends ConfigError {
  override readonly exitCode = 2;
}

/** One model of a suite: a named variant of the base model, a grid or zip point, or a baseline. */
export interface SuiteModel {
  /** 'full', 'w/o MIE', 'ld.largeKernel=13', 'ld.largeKernel=7,ld.smallKernel=3', or the baseline's name. */
  name: string;
  kind: 'variant' | 'baseline';
  /** The raw model config (validated: parseModelConfig accepts it). */
  model: PlainConfig;
}

/** A dataset of a suite, as the suite names it and as a run config refers to it. */
export interface SuiteDataset {
  /** As written in the suite. */
  name: string;
  /** What data.dataset gets: the registry or imported name, or the folder's absolute path. */
  ref: string;
  /** Whether its files are on this machine (the synthetic dataset always is: it is generated on first use). */
  present: boolean;
  /** How to get it when absent (a command), else null. */
  fetchHint: string | null;
}

/** A suite file read and validated: everything expansion needs, no run resolved yet. */
export interface LoadedSuite {
  /** Absolute path of the suite file. */
  file: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  spec: SuiteFile;
  /** The base run config (extends merged, `set` applied), without a model. */
  base: PlainConfig;
  /** Variants first (named, grid, zip, in file order), then baselines. */
  models: SuiteModel[];
  datasets: SuiteDataset[];
  /** Names of the extra test sets per training dataset (validated, see SuiteFile.evaluate). */
  evaluate: Record<string, SuiteDataset[]>;
  reference: string;
}

const RUN_SECTIONS = ['data', 'train', 'eval'];

/** Longest suite name: file names in the store add up to 27 characters to it (temp files), and 255 bytes is the cap. */
export const MAX_SUITE_NAME = 100;

/** Longest variant or baseline name (named, or made from a grid or zip point): it heads table rows and chart labels. */
export const MAX_MODEL_NAME = 120;

function fail(file: string, key: string, problem: string): never {
  throw new SuiteError(`${file}: ${key}: ${problem}`);
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** A file a suite names: relative to the suite's folder, else to mslk's configs/; undefined when neither exists. */
async function suitePath(file: string, ref: string): Promise<string | undefined> {
  const candidates = isAbsolute(ref) ? [ref] : [resolve(dirname(file), ref), join(PACKAGE_CONFIGS, ref)];
  for (const c of candidates) if (await isFile(c)) return c;
  return undefined;
}

/** A value in a variant name: strings as they are, everything else as JSON (`[31,29,27,13]`). */
export function formatAxisValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Applies dotted assignments to a copy of `target`; a leading `within.` segment is dropped. */
function applyAssignments(target: PlainConfig, values: Record<string, unknown>, where: string, within?: string): PlainConfig {
  const out = structuredClone(target);
  for (const [key, value] of Object.entries(values)) {
    const path = parseKeyPath(key, `${where} ${key}`);
    setAtKeyPath(out, within !== undefined && path.length > 1 && path[0] === within ? path.slice(1) : path, value, `${where} ${key}`);
  }
  return out;
}

/** Rethrows a ConfigError from below as a SuiteError naming the file and key. */
async function within<T>(file: string, key: string, action: () => Promise<T> | T): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof SuiteError) throw error;
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    // Messages that already start with the suite file (the base-conflict rule names it): not twice.
    const named = [file, displayPath(file)].find((name) => message.startsWith(`${name}: `));
    return fail(file, key, named === undefined ? message : message.slice(named.length + 2));
  }
}

async function readSpec(file: string): Promise<SuiteFile> {
  const raw = await within(file, 'file', () => readYamlMapping(file));
  const result = suiteSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
    const line = describeIssue(suiteSchema, issue);
    throw new SuiteError(`${file}: ${line}${issue.code === 'unrecognized_keys' && issue.path.length === 0 ? ` (suite keys: ${Object.keys(suiteSchema.shape).join(', ')})` : ''}`);
  }
  const spec = result.data;
  // The name is a file name in the store (suites/<name>.json, suites/<name>.slurm/, temp files beside them: 27 more
  // characters), which file systems cap at 255 bytes: refused here, not as ENAMETOOLONG halfway through a write.
  if (spec.name.length > MAX_SUITE_NAME) {
    fail(file, 'name', `is ${spec.name.length} characters long: use at most ${MAX_SUITE_NAME} (it names <store>/suites/<name>.json and the files beside it)`);
  }
  // A seed listed twice is one run (same config, same id) that results would count twice in n.
  const repeated = [...new Set(spec.seeds.filter((seed, i) => spec.seeds.indexOf(seed) !== i))];
  if (repeated.length > 0) {
    fail(file, 'seeds', `${repeated.join(', ')} ${repeated.length === 1 ? 'is' : 'are'} listed twice: a seed is one run, listed twice it would be counted twice; remove the repeat`);
  }
  for (const axis of ['grid', 'zip'] as const) {
    if (spec[axis] !== undefined && Object.keys(spec[axis]!).length === 0) {
      fail(file, axis, `is empty: list at least one model key with its values (e.g. 'ld.largeKernel: [7, 13]'), or remove ${axis}`);
    }
  }
  return spec;
}

/** data/train/eval keys only (set, overrides): model keys belong to variants, the dataset and seed to their lists. */
function checkRunKeys(file: string, where: string, values: Record<string, unknown>): void {
  for (const key of Object.keys(values)) {
    const head = key.split('.')[0]!;
    if (head === 'model') fail(file, `${where}.${key}`, 'model keys belong in variants, grid or zip (or the model file): move it there');
    if (key === 'data.dataset') fail(file, `${where}.${key}`, 'datasets are listed in `datasets`: name it there');
    if (head === 'seed') fail(file, `${where}.${key}`, 'seeds are listed in `seeds`: set them there');
    if (!RUN_SECTIONS.includes(head)) {
      const near = nearestName(head, RUN_SECTIONS);
      fail(file, `${where}.${key}`, `'${head}' is not a section of a run config${near ? `: did you mean '${near}'?` : ''} (keys: \`mslk config keys\`)`);
    }
  }
}

async function loadBase(file: string, spec: SuiteFile): Promise<PlainConfig> {
  const trees: Array<{path: string; config: PlainConfig}> = [];
  for (const ref of Array.isArray(spec.extends) ? spec.extends : [spec.extends]) {
    const path = await suitePath(file, ref);
    if (path === undefined) fail(file, 'extends', `'${ref}': no such file (looked next to the suite and in mslk's configs/): fix the path, relative to the suite file`);
    const config = await within(file, 'extends', () => readConfigTree(path, {fallbackDir: PACKAGE_CONFIGS, normalise: nestModelConfig}));
    delete config['model'];
    trees.push({path, config});
  }
  checkRunKeys(file, 'set', spec.set);
  // The base-conflict rule of run configs: two bases that set one key, unless the suite's `set` decides it.
  const own = Object.keys(spec.set).map((key) => ({path: key.split('.'), file}));
  await within(file, 'extends', () => checkSiblingBases(file, trees.map((t) => leavesOf(t.config, t.path)), own, PACKAGE_CONFIGS));
  let base: PlainConfig = {};
  for (const tree of trees) base = mergeConfigs(base, tree.config);
  return within(file, 'set', () => applyAssignments(base, spec.set, `${file}: set`));
}

/** The dataset `name` as a run refers to it, or a SuiteError when it is neither a known name nor a folder. */
async function resolveSuiteDataset(file: string, key: string, name: string, dataRoot: string): Promise<SuiteDataset> {
  const entry = findDatasetEntry(name);
  if (entry && entry.name !== 'folder') {
    const present = entry.name === 'synthetic' || (await isFolder(join(dataRoot, entry.name)));
    const fetchHint = present ? null : entry.download.kind === 'direct' ? `mslk datasets fetch ${entry.name}` : `mslk datasets fetch ${entry.name} --from <its archive>`;
    return {name, ref: entry.name, present, fetchHint};
  }
  if (await readImportRecord(dataRoot, name)) return {name, ref: name, present: true, fetchHint: null};
  const path = resolve(dirname(file), name);
  if (await isFolder(path)) return {name, ref: path, present: true, fetchHint: null};
  // A file is no dataset that is still to come: 'put the dataset at /etc/passwd' would send the user the wrong way.
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => error.code);
  if (typeof info !== 'string') {
    return fail(file, key, `'${name}' is a file (${path}), not a dataset folder: name a folder of images and masks (relative to the suite file) or a dataset name (\`mslk datasets list\`)`);
  }
  if (info === 'ENOTDIR') return fail(file, key, `'${name}': part of ${path} is a file where a folder is expected: fix the path (relative to the suite file)`);
  // A path (it has a folder separator) may be absent on this machine, like a registry dataset not yet fetched:
  // the plan shows it as 'no data' and nothing trains until it is there. A bare word is a name and must be known.
  if (/[\\/]/.test(name)) return {name, ref: path, present: false, fetchHint: `put the dataset at ${path} (or fix the path, relative to the suite file)`};
  const known = DATASETS.map((d) => d.name).filter((n) => n !== 'folder');
  // 'kvasir' for 'kvasir-seg': a prefix is as good a hint as a misspelling.
  const near = nearestName(name, known) ?? known.find((k) => k.startsWith(name.toLowerCase()));
  return fail(file, key, `'${name}' is neither a dataset name nor a folder${near ? `: did you mean '${near}'?` : ''} (known: ${known.join(', ')}; or import a folder with \`mslk datasets import\`)`);
}

/** The base model config of the variants (a file next to the suite or in configs/, or a model name). */
async function loadBaseModel(file: string, ref: string): Promise<PlainConfig> {
  if (isModelName(ref)) return {model: ref};
  const path = await suitePath(file, ref);
  if (path === undefined) {
    const near = nearestName(ref, MODEL_NAMES);
    fail(file, 'model', `'${ref}' is neither a model config file (relative to the suite file) nor a model name${near ? `: did you mean '${near}'?` : ''}`);
  }
  const raw = await within(file, 'model', () => readRawModelConfig(path));
  await within(file, 'model', () => parseModelConfig(raw, 'model'));
  return raw;
}

/** A baseline: a model name (configs/models/<name>.yaml, else its defaults) or a model config file. */
async function loadBaseline(file: string, index: number, entry: string | Record<string, string>): Promise<SuiteModel> {
  const key = `baselines[${index}]`;
  const [given, ref] = typeof entry === 'string' ? [undefined, entry] : Object.entries(entry)[0]!;
  if (isModelName(ref)) {
    const shipped = join(PACKAGE_CONFIGS, 'models', `${ref}.yaml`);
    const model = (await isFile(shipped)) ? await within(file, key, () => readRawModelConfig(shipped)) : {model: ref};
    return {name: given ?? ref, kind: 'baseline', model};
  }
  const path = await suitePath(file, ref);
  if (path === undefined) {
    const near = nearestName(ref, MODEL_NAMES);
    return fail(file, key, `'${ref}' is not a model${near ? `: did you mean '${near}'?` : ''} (a model name: ${MODEL_NAMES.join(', ')}; or a model config file relative to the suite)`);
  }
  const model = await within(file, key, async () => {
    const raw = await readRawModelConfig(path).catch((e: Error) => { throw new ConfigError(`'${ref}' is not a model config: ${e.message.split('\n')[0]}`); });
    parseModelConfig(raw, 'model');
    return raw;
  });
  return {name: given ?? basename(ref, extname(ref)), kind: 'baseline', model};
}

/**
 * The points of a grid: the cartesian product of the axes, in file order (the last axis varies fastest), each point
 * a list of [dotted key, value] pairs. An axis with no values gives no points.
 */
export function gridPoints(axes: Record<string, unknown[]>): Array<Array<[string, unknown]>> {
  let points: Array<Array<[string, unknown]>> = [[]];
  for (const [key, values] of Object.entries(axes)) points = points.flatMap((p) => values.map((v) => [...p, [key, v] as [string, unknown]]));
  return points;
}

function zipPoints(file: string, axes: Record<string, unknown[]>): Array<Array<[string, unknown]>> {
  const entries = Object.entries(axes);
  const lengths = entries.map(([, v]) => v.length);
  if (new Set(lengths).size > 1) {
    fail(file, 'zip', `its axes have different lengths (${entries.map(([k, v]) => `${k}: ${v.length}`).join(', ')}): give every axis the same number of values`);
  }
  return Array.from({length: lengths[0] ?? 0}, (_, i) => entries.map(([k, v]) => [k, v[i]] as [string, unknown]));
}

/** Variants of the base model: named, then grid points, then zip positions; each model config validated. */
async function loadVariants(file: string, spec: SuiteFile): Promise<SuiteModel[]> {
  const named = Object.entries(spec.variants).map(([name, values]) => ({name, values, key: `variants['${name}']`}));
  const points = [
    ...(spec.grid ? gridPoints(spec.grid).map((p) => ({p, key: 'grid'})) : []),
    ...(spec.zip ? zipPoints(file, spec.zip).map((p) => ({p, key: 'zip'})) : []),
  ].map(({p, key}) => {
    const name = p.map(([k, v]) => `${k}=${formatAxisValue(v)}`).join(',');
    return {name, values: Object.fromEntries(p), key: `${key} point '${name}'`};
  });
  // A suite with a model and nothing varied runs the model itself, as 'full'.
  const all = named.length + points.length > 0 ? [...named, ...points] : spec.model !== undefined ? [{name: 'full', values: {}, key: 'model'}] : [];
  if (all.length === 0) return [];
  if (spec.model === undefined) fail(file, 'model', 'missing: variants, grid and zip vary a base model: name it (e.g. model: ../models/ms-lkseg.yaml)');
  const base = await loadBaseModel(file, spec.model);
  const out: SuiteModel[] = [];
  for (const v of all) {
    const model = await within(file, v.key, () => {
      for (const k of Object.keys(v.values)) parseKeyPath(k, k).forEach((s, i, path) => checkConfigKey(s, path.slice(0, i + 1), k));
      const raw = applyAssignments(base, v.values, 'override', 'model');
      parseModelConfig(raw);
      return raw;
    });
    out.push({name: v.name, kind: 'variant', model});
  }
  return out;
}

/** Two models of one suite with one name, or with one resolved config (two names for the same runs): refused. */
function checkDistinct(file: string, models: readonly SuiteModel[]): void {
  const byName = new Map<string, SuiteModel>();
  const byConfig = new Map<string, SuiteModel>();
  for (const m of models) {
    const where = m.kind === 'baseline' ? 'baselines' : 'variants';
    const shown = escapeInvisible(m.name);
    if (m.name.length > MAX_MODEL_NAME) {
      fail(file, where, `'${shown.slice(0, 40)}...' is ${m.name.length} characters long: use at most ${MAX_MODEL_NAME}${m.name.includes('=') ? ' (a grid or zip point is named after its keys and values: name the variant under variants instead)' : ''}`);
    }
    // A name from a grid or zip value ('ld.kind=a\u200b') is no YAML key, so checkConfigKey has not seen it.
    const invisible = firstInvisible(m.name);
    if (invisible !== undefined) fail(file, where, `'${shown}' holds an invisible character (${invisible}): retype the name`);
    const other = byName.get(m.name);
    if (other) fail(file, m.kind === 'baseline' ? 'baselines' : 'variants', `'${m.name}' is named twice (${other.kind} and ${m.kind}): rename one or remove it`);
    byName.set(m.name, m);
    const key = canonicalJson(parseModelConfig(m.model));
    const same = byConfig.get(key);
    if (same) fail(file, 'variants', `'${same.name}' and '${m.name}' are the same model config (the same runs under two names): remove one`);
    byConfig.set(key, m);
  }
}

/**
 * Reads and validates a suite file (paths in it are relative to its folder). Throws SuiteError with one line naming
 * the file, the key and the fix for: an unreadable file, an unknown key (with the nearest), a value of the wrong
 * type, an empty grid or zip, zip axes of different lengths, a variant key the model config does not have (or an
 * invalid value), two variants with one name or one config, a seed listed twice, a suite name over MAX_SUITE_NAME
 * or a variant name over MAX_MODEL_NAME characters (or holding an invisible character), a dataset that is a file or
 * neither known nor a folder, a baseline that is not a model, a `reference` naming no variant, `overrides`/`evaluate`
 * naming no dataset of the suite, and set/overrides keys outside data/train/eval; and for a file that is not UTF-8 or
 * has a key with an invisible character (readYamlMapping). Reads no dataset and writes nothing.
 */
export async function loadSuite(suiteFile: string, options: {dataRoot: string}): Promise<LoadedSuite> {
  const file = resolve(suiteFile);
  const spec = await readSpec(file);
  const bytes = await readFile(file);
  const base = await loadBase(file, spec);
  const variants = await loadVariants(file, spec);
  const baselines: SuiteModel[] = [];
  for (const [i, ref] of spec.baselines.entries()) baselines.push(await loadBaseline(file, i, ref));
  const models = [...variants, ...baselines];
  if (models.length === 0) fail(file, 'variants', 'the suite has nothing to run: add variants (or grid, zip) of the model, or baselines');
  checkDistinct(file, models);
  const names = models.map((m) => m.name);
  const reference = spec.reference ?? names[0]!;
  if (!names.includes(reference)) {
    const near = nearestName(reference, names);
    fail(file, 'reference', `'${reference}' names no variant or baseline${near ? `: did you mean '${near}'?` : ''} (the suite has: ${names.join(', ')})`);
  }
  const datasets: SuiteDataset[] = [];
  for (const [i, name] of spec.datasets.entries()) {
    if (spec.datasets.indexOf(name) !== i) fail(file, `datasets[${i}]`, `'${name}' is listed twice: remove one`);
    datasets.push(await resolveSuiteDataset(file, `datasets[${i}]`, name, options.dataRoot));
  }
  for (const [where, keys] of [['overrides', Object.keys(spec.overrides)], ['evaluate', Object.keys(spec.evaluate)]] as const) {
    for (const name of keys) {
      if (!spec.datasets.includes(name)) {
        const near = nearestName(name, spec.datasets);
        fail(file, `${where}.${name}`, `'${name}' is not one of the suite's datasets${near ? `: did you mean '${near}'?` : ''} (datasets: ${spec.datasets.join(', ')})`);
      }
    }
  }
  for (const [name, values] of Object.entries(spec.overrides)) checkRunKeys(file, `overrides.${name}`, values);
  const evaluate: Record<string, SuiteDataset[]> = {};
  for (const [name, extra] of Object.entries(spec.evaluate)) {
    evaluate[name] = [];
    const trained = datasets.find((d) => d.name === name)!;
    const stems = new Map<string, string>();
    for (const [i, e] of extra.entries()) {
      const key = `evaluate.${name}[${i}]`;
      const set = await resolveSuiteDataset(file, key, e, options.dataRoot);
      if (set.ref === trained.ref) fail(file, key, `'${e}' is the dataset the runs train on: its own test split is always evaluated; list only other datasets here`);
      const stem = testSetStem(e);
      const twin = stems.get(stem);
      if (twin !== undefined) fail(file, key, `'${e}' and '${twin}' would share the result files eval/external/${stem}-*: list each test set once (rename one folder if they differ)`);
      stems.set(stem, e);
      evaluate[name].push(set);
    }
  }
  return {file, sha256: createHash('sha256').update(bytes).digest('hex'), spec, base, models, datasets, evaluate, reference};
}

/** `overrides.<dataset>` applied to a run config (a copy), errors naming that key. */
export function applyDatasetOverrides(file: string, raw: PlainConfig, dataset: string, values: Record<string, unknown>): PlainConfig {
  try {
    return applyAssignments(raw, values, `${file}: overrides.${dataset}`);
  } catch (error) {
    throw new SuiteError((error as Error).message.split('\n')[0]!);
  }
}

