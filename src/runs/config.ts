// Run configs (MMSegmentation style): a YAML file with `extends` (base files in configs/models, configs/datasets,
// configs/training, merged in order, the file's own keys last), then `--set a.b.c=value` overrides, validated
// with strict keys. The fully resolved config is plain JSON: it is what gets hashed and saved with a run.
import {z} from 'zod';
import {applyOverride, isPlainConfig, nestModelConfig, PACKAGE_CONFIGS, readConfigTree, type PlainConfig} from '../config/files.js';
import {ConfigError, parseWithSchema} from '../config/parse.js';
import {applyModelOverride} from '../models/config/load.js';
import {parseModelConfig, type ModelConfig} from '../models/registry.js';

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
export type TrainConfig = z.output<typeof trainSchema>;

/** The `train` section with every default filled (what a run gets when its config sets nothing there). */
export function defaultTrainConfig(): TrainConfig {
  return trainSchema.parse({});
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
  const raw = await readConfigTree(file, {fallbackDir: PACKAGE_CONFIGS, normalise: nestModelConfig});
  for (const assignment of options.set ?? []) applyFullOverride(raw, assignment);
  if (options.dataset !== undefined) applyFullOverride(raw, `data.dataset=${JSON.stringify(options.dataset)}`);
  if (options.seed !== undefined) raw['seed'] = options.seed;
  if (!isPlainConfig(raw['model'])) throw new ConfigError(`${file}: no model: add 'extends: models/<name>.yaml' or a 'model:' mapping`);
  return parseRunConfig(raw);
}

/** `--set` on a whole run config: the first path component names the section (model, data, train, eval, seed). */
function applyFullOverride(raw: PlainConfig, assignment: string): void {
  const head = assignment.slice(0, Math.max(0, assignment.indexOf('='))).split('.')[0] ?? '';
  if (head === 'model') {
    const model = isPlainConfig(raw['model']) ? raw['model'] : (raw['model'] = {});
    applyModelOverride(model, assignment);
  } else {
    applyOverride(raw, assignment);
  }
}
