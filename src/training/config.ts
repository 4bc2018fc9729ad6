// Run configs (MMSegmentation style): a YAML file with `extends` (base files in configs/models, configs/datasets,
// configs/training, merged in order, the file's own keys last), then `--set a.b.c=value` overrides, validated
// with strict keys. The fully resolved config is plain JSON: it is what gets hashed and saved with a run.
import {existsSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {dirname, isAbsolute, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parse as parseYaml} from 'yaml';
import {z} from 'zod';
import {ConfigError, parseWithSchema} from '../models/config/parse.js';
import {applyOverride} from '../models/config/load.js';
import {parseModelConfig, type ModelConfig} from '../models/registry.js';

/** configs/ of the installed package (src/training and dist/training sit two levels below the root). */
export const PACKAGE_CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

const probability = z.number().min(0).max(1);

const augmentSchema = z.object({
  horizontalFlip: probability.default(0.5),
  verticalFlip: probability.default(0.5),
  rotate90: z.boolean().default(true),
  scaledCrop: probability.default(0),
  minScale: z.number().gt(0).max(1).default(0.75),
  brightness: z.number().min(0).max(1).default(0),
  contrast: z.number().min(0).max(1).default(0),
}).strict();

const splitSchema = z.object({
  method: z.enum(['auto', 'official', 'ratios', 'kfold']).default('auto'),
  /** Kept apart from the run seed: seeds of one study share a split. */
  seed: z.number().int().default(0),
  ratios: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).optional(),
  folds: z.number().int().min(2).optional(),
  fold: z.number().int().min(0).optional(),
}).strict();

const dataSchema = z.object({
  dataset: z.string().min(1).default('synthetic'),
  size: z.number().int().min(16).refine((s) => s % 16 === 0, {message: 'must be divisible by 16 (four 2x down-samplings)'}).default(256),
  split: splitSchema.default({}),
  /** Reuse this split file (image ids per subset) instead of making one. */
  splitFile: z.string().nullable().default(null),
  augment: augmentSchema.default({}),
}).strict();

const optimizerSchema = z.object({
  name: z.enum(['sgd', 'adam', 'adamw']).default('adam'),
  lr: z.number().positive().default(1e-4),
  momentum: z.number().min(0).max(1).default(0.9),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  /** L2 penalty added to the gradient for sgd and adam; decoupled decay (lr x wd x w) for adamw. */
  weightDecay: z.number().min(0).default(0),
}).strict();

const scheduleSchema = z.object({
  name: z.enum(['constant', 'poly', 'cosine']).default('cosine'),
  power: z.number().positive().default(0.9),
  warmupEpochs: z.number().min(0).default(0),
  minLr: z.number().min(0).default(0),
}).strict();

const lossSchema = z.object({
  name: z.enum(['bce-dice', 'bce', 'dice']).default('bce-dice'),
  bceWeight: z.number().min(0).default(0.5),
  diceWeight: z.number().min(0).default(1),
  /** Smoothing of the soft Dice, per image. */
  smooth: z.number().min(0).default(1),
}).strict();

const trainSchema = z.object({
  epochs: z.number().int().min(1).default(300),
  batchSize: z.number().int().min(1).default(8),
  optimizer: optimizerSchema.default({}),
  schedule: scheduleSchema.default({}),
  loss: lossSchema.default({}),
}).strict();

const evalSchema = z.object({
  threshold: z.number().gt(0).lt(1).default(0.5),
  /** The checkpoint whose test metrics are the run's headline numbers. */
  checkpoint: z.enum(['last', 'best']).default('last'),
  thresholdAveragedDice: z.boolean().default(false),
}).strict();

const runSchema = z.object({
  model: z.record(z.unknown()),
  data: dataSchema.default({}),
  train: trainSchema.default({}),
  eval: evalSchema.default({}),
  seed: z.number().int().min(0).default(0),
}).strict();

export type RunConfig = Omit<z.output<typeof runSchema>, 'model'> & {model: ModelConfig};
export type AugmentConfig = z.output<typeof augmentSchema>;
export type OptimizerConfig = z.output<typeof optimizerSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type LossConfig = z.output<typeof lossSchema>;

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: mappings merge key by key, everything else (lists included) is replaced. */
export function mergeConfigs(base: Plain, over: Plain): Plain {
  const out: Plain = {...base};
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? mergeConfigs(out[k] as Plain, v) : v;
  return out;
}

function findBase(ref: string, from: string): string {
  const candidates = isAbsolute(ref) ? [ref] : [resolve(from, ref), join(PACKAGE_CONFIGS, ref)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ConfigError(`extends '${ref}': no such file (looked in ${candidates.join(' and ')})`);
  return found;
}

async function readYamlMapping(file: string): Promise<Plain> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config '${file}': ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return {};
  if (!isPlain(raw)) throw new ConfigError(`${file}: expected a mapping of settings`);
  // A model config on its own (configs/models/*.yaml) names its family at the top level.
  return typeof raw['model'] === 'string' ? {model: raw} : raw;
}

/** Reads a config file with its `extends` chain merged in (bases first), detecting cycles. */
export async function readConfigTree(file: string, seen: readonly string[] = []): Promise<Plain> {
  const path = resolve(file);
  if (seen.includes(path)) throw new ConfigError(`extends cycle: ${[...seen, path].join(' -> ')}`);
  const raw = await readYamlMapping(path);
  const {extends: ext, ...own} = raw;
  const bases = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  let merged: Plain = {};
  for (const ref of bases) {
    if (typeof ref !== 'string') throw new ConfigError(`${path}: extends takes file names`);
    merged = mergeConfigs(merged, await readConfigTree(findBase(ref, dirname(path)), [...seen, path]));
  }
  return mergeConfigs(merged, own);
}

export interface ResolveRunOptions {
  /** `a.b.c=value` assignments, applied in order after the file. */
  set?: readonly string[];
  dataset?: string;
  seed?: number;
}

/** Validates a merged raw config and fills every default. Throws ConfigError with one line. */
export function parseRunConfig(raw: unknown): RunConfig {
  const parsed = parseWithSchema(runSchema, raw);
  return {...parsed, model: parseModelConfig(parsed.model, 'model')};
}

/** The file, its bases, the overrides and the flags, resolved and validated. */
export async function resolveRunConfig(file: string, options: ResolveRunOptions = {}): Promise<RunConfig> {
  const raw = await readConfigTree(file);
  for (const assignment of options.set ?? []) applyFullOverride(raw, assignment);
  if (options.dataset !== undefined) applyFullOverride(raw, `data.dataset=${JSON.stringify(options.dataset)}`);
  if (options.seed !== undefined) raw['seed'] = options.seed;
  if (!isPlain(raw['model'])) throw new ConfigError(`${file}: no model: add 'extends: models/<name>.yaml' or a 'model:' mapping`);
  return parseRunConfig(raw);
}

/** `--set` on a whole run config: the first path component names the section (model, data, train, eval, seed). */
function applyFullOverride(raw: Plain, assignment: string): void {
  const eq = assignment.indexOf('=');
  const head = assignment.slice(0, eq).split('.')[0] ?? '';
  if (head === 'model') {
    const model = isPlain(raw['model']) ? raw['model'] : (raw['model'] = {});
    applyOverride(model as Plain, assignment);
  } else {
    applyOverride(raw, assignment);
  }
}
