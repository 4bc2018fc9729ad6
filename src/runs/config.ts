// Run configs (MMSegmentation style): a YAML file with `extends` (base files in configs/models, configs/datasets,
// configs/training, merged in order, the file's own keys last), then `--set a.b.c=value` overrides, validated
// with strict keys. The fully resolved config is plain JSON: it is what gets hashed and saved with a run.
import {z} from 'zod';
import {applyOverride, isPlainConfig, nestModelConfig, PACKAGE_CONFIGS, readConfigTree, type PlainConfig} from '../config/files.js';
import {withoutLineEnd} from '../config/overrides.js';
import {ConfigError, parseWithSchema} from '../config/parse.js';
import {applyModelOverride} from '../models/load-config.js';
import {parseModelConfig, type ModelConfig} from '../models/registry.js';

const probability = z.number().min(0).max(1);

const augmentSchema = z.object({
  horizontalFlip: probability.default(0.5).describe('probability of a horizontal flip'),
  verticalFlip: probability.default(0.5).describe('probability of a vertical flip'),
  rotate90: z.boolean().default(true).describe('rotate by a random multiple of 90 degrees'),
  scaledCrop: probability.default(0).describe('probability of a random crop of side scale x size, resized back'),
  minScale: z.number().gt(0).max(1).default(0.75).describe('smallest crop scale (uniform in [minScale, 1])'),
  brightness: z.number().min(0).max(1).default(0).describe('brightness offset uniform in [-brightness, brightness] (images in [0, 1])'),
  contrast: z.number().min(0).max(1).default(0).describe('contrast factor uniform in [1 - contrast, 1 + contrast], around the image mean'),
}).strict();

const splitSchema = z.object({
  method: z.enum(['auto', 'official', 'ratios', 'kfold', 'named']).default('auto')
    .describe("auto: the official split where the dataset has one, else ratios; kfold: seeded folds, one as test; named: the dataset's customary split called split.name"),
  name: z.string().min(1).optional().describe("the dataset's customary split for method 'named' (chase-db1: first-20; `mslk datasets info` lists them)"),
  // Kept apart from the run seed: seeds of one study share a split.
  seed: z.number().int().default(0).describe('seed of the split (not the run seed: the seeds of a study share one split)'),
  ratios: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).optional()
    .describe('train, validation, test proportions for ratios (and auto without an official split), summing to 1; unset = 0.8, 0.1, 0.1'),
  folds: z.number().int().min(2).optional().describe('number of folds (kfold)'),
  fold: z.number().int().min(0).optional().describe('the fold used as test, from 0 (kfold)'),
}).strict();

const dataSchema = z.object({
  dataset: z.string().min(1).default('synthetic').describe('a dataset name (`mslk datasets list`) or a folder'),
  size: z.number().int().min(16).refine((s) => s % 16 === 0, {message: 'must be divisible by 16 (four 2x down-samplings)'}).default(256)
    .describe('side in pixels the images are resized to for training (divisible by 16); metrics are at the original size'),
  split: splitSchema.default({}).describe('how images are divided into train, validation and test'),
  splitFile: z.string().nullable().default(null).describe('reuse this split file (image ids per subset) instead of making one'),
  augment: augmentSchema.default({}).describe('seeded training augmentation'),
}).strict();

const optimizerSchema = z.object({
  name: z.enum(['sgd', 'adam', 'adamw']).default('adam').describe('optimiser'),
  lr: z.number().positive().default(1e-4).describe('peak learning rate (the schedule scales it per step)'),
  momentum: z.number().min(0).max(1).default(0.9).describe('momentum (sgd)'),
  beta1: z.number().min(0).max(1).default(0.9).describe('first-moment decay (adam, adamw)'),
  beta2: z.number().min(0).max(1).default(0.999).describe('second-moment decay (adam, adamw)'),
  weightDecay: z.number().min(0).default(0).describe('L2 penalty added to the gradient for sgd and adam; decoupled decay (lr x wd x w) for adamw'),
}).strict();

const scheduleSchema = z.object({
  name: z.enum(['constant', 'poly', 'cosine']).default('cosine').describe('learning-rate decay over all steps, per step'),
  power: z.number().positive().default(0.9).describe('exponent of poly: lr x (1 - t)^power'),
  warmupEpochs: z.number().min(0).default(0).describe('epochs of linear warm-up from 0 before the decay'),
  minLr: z.number().min(0).default(0).describe('learning rate the decay ends at'),
}).strict();

const lossSchema = z.object({
  name: z.enum(['bce-dice', 'bce', 'dice']).default('bce-dice').describe('training loss; bce-dice = bceWeight x BCE + diceWeight x soft Dice'),
  bceWeight: z.number().min(0).default(0.5).describe('weight of the binary cross-entropy in bce-dice'),
  diceWeight: z.number().min(0).default(1).describe('weight of the soft Dice loss in bce-dice'),
  smooth: z.number().min(0).default(1).describe('smoothing of the soft Dice, per image'),
}).strict();

const trainSchema = z.object({
  epochs: z.number().int().min(1).default(300).describe('training epochs'),
  batchSize: z.number().int().min(1).default(8).describe('images per optimisation step'),
  optimizer: optimizerSchema.default({}).describe('optimiser and its settings'),
  schedule: scheduleSchema.default({}).describe('learning-rate schedule'),
  loss: lossSchema.default({}).describe('loss function'),
}).strict();

const evalSchema = z.object({
  threshold: z.number().gt(0).lt(1).default(0.5).describe('probability above which a pixel is foreground'),
  checkpoint: z.enum(['last', 'best']).default('last').describe("the checkpoint whose test metrics are the run's headline numbers (best = best validation Dice)"),
  thresholdAveragedDice: z.boolean().default(false).describe('add the PraNet-style Dice averaged over thresholds 0..255/255'),
}).strict();

/** A run config without its model: data, train, eval and seed, each field described (`mslk config keys`). */
export const runSettingsSchema = z.object({
  data: dataSchema.default({}).describe('the dataset, its split and augmentation'),
  train: trainSchema.default({}).describe('the training protocol'),
  eval: evalSchema.default({}).describe('how a trained model is evaluated'),
  seed: z.number().int().min(0).default(0).describe('seed of the weights, batch order and augmentation (not of the split)'),
}).strict();

const runSchema = z.object({
  model: z.record(z.unknown()).describe('the model config: `mslk models list` shows its keys'),
  ...runSettingsSchema.shape,
}).strict();

/** A fully resolved, validated run config (every default filled): what a run id hashes and config.json holds. */
export type RunConfig = Omit<z.output<typeof runSchema>, 'model'> & {model: ModelConfig};
/** data.augment: training-time augmentation (probabilities in [0, 1]). */
export type AugmentConfig = z.output<typeof augmentSchema>;
/** train.optimizer: sgd, adam or adamw with its hyper-parameters (lr per step, see learningRateAt). */
export type OptimizerConfig = z.output<typeof optimizerSchema>;
/** train.schedule: the learning-rate schedule (see learningRateAt; warmupEpochs in epochs). */
export type ScheduleConfig = z.output<typeof scheduleSchema>;
/** train.loss: the training loss on logits (see segmentationLoss). */
export type LossConfig = z.output<typeof lossSchema>;
export type TrainConfig = z.output<typeof trainSchema>;

/** The `train` section with every default filled (what a run gets when its config sets nothing there). */
export function defaultTrainConfig(): TrainConfig {
  return trainSchema.parse({});
}

/** Overrides applied after a config file and its bases, in this order: set, dataset, seed. */
export interface ResolveRunOptions {
  /** `a.b.c=value` assignments, applied in order after the file. */
  set?: readonly string[];
  dataset?: string;
  seed?: number;
}

/** Validates a merged raw config and fills every default. Throws ConfigError with one line. */
export function parseRunConfig(raw: unknown): RunConfig {
  const parsed = parseWithSchema(runSchema, raw);
  checkSplitSettings(parsed.data.split);
  return {...parsed, model: parseModelConfig(parsed.model, 'model')};
}

/** The kfold fold count when data.split.folds is unset (prepare-with-split.ts uses the same). */
const DEFAULT_FOLDS = 5;

/**
 * The rules of data.split that need no data: ratios sum to 1, fold < folds, a name for method 'named'. Checked here
 * so a bad config fails before anything is prepared (and `mslk config show` refuses it too). The rules that need the
 * data (the named split exists, folds <= number of subjects) stay with the split code. Throws ConfigError (one line
 * naming the key and the fix).
 */
function checkSplitSettings(split: z.output<typeof splitSchema>): void {
  if (split.ratios !== undefined) {
    const sum = split.ratios.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-6) {
      throw new ConfigError(`data.split.ratios: ${split.ratios.join(', ')} sum to ${Number(sum.toFixed(6))}, not 1: give train, validation, test fractions that sum to 1 (e.g. [0.8, 0.1, 0.1])`);
    }
  }
  const folds = split.folds ?? DEFAULT_FOLDS;
  if (split.fold !== undefined && split.fold >= folds) {
    throw new ConfigError(`data.split.fold: ${split.fold} is not a fold of ${folds}${split.folds === undefined ? ' (data.split.folds unset: 5)' : ''}: use a fold from 0 to ${folds - 1}, or raise data.split.folds`);
  }
  if (split.method === 'named' && split.name === undefined) {
    throw new ConfigError(`data.split.name: method 'named' needs the split's name: set data.split.name (\`mslk datasets info <dataset>\` lists them, e.g. chase-db1: first-20)`);
  }
}

/** The file, its bases, the overrides and the flags, resolved and validated. */
export async function resolveRunConfig(file: string, options: ResolveRunOptions = {}): Promise<RunConfig> {
  const raw = await readConfigTree(file, {fallbackDir: PACKAGE_CONFIGS, normalise: nestModelConfig});
  for (const assignment of options.set ?? []) applyFullOverride(raw, assignment);
  if (options.dataset !== undefined) applyFullOverride(raw, `data.dataset=${JSON.stringify(withoutLineEnd(options.dataset))}`);
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
