// What every model family shares: the config fields common to all (described once, here), the options of a
// build, the training progress the hooks of a family are asked about, and the hooks of a family that has no
// inference form and no training-time state.
import {z} from 'zod';

/** The fields of every family: the channels in and out. */
export const ioFields = {
  inChannels: z.number().int().min(1).default(3).describe('channels of the input image (3 = RGB scaled to [0, 1])'),
  outChannels: z.number().int().min(1).default(1).describe('channels of the logits head (1 = a binary mask)'),
};

/** The fields of the families on the shared 5-level U-Net skeleton (graph.ts): channels, widths, resampling. */
export const commonFields = {
  ...ioFields,
  baseWidth: z.number().int().min(1).max(1024).default(32).describe('channels of level 0; the 5 levels have baseWidth x [1, 2, 4, 8, 16]'),
  downsample: z.enum(['maxpool', 'avgpool']).default('maxpool').describe('2x2 pooling between encoder levels'),
  upsample: z.enum(['bilinear', 'nearest']).default('bilinear').describe('2x up-sampling of each decoder stage (bilinear with half-pixel centres)'),
};

/** Inputs must be divisible by 16: four 2x down-samplings. */
export const SIZE_DIVISOR = 16;

export interface BuildOptions {
  /** Seed of the weight initialisers (default 0). */
  seed?: number;
  /** Fixed input height and width (needed to count MACs); default any size divisible by 16. */
  inputSize?: number | null;
  /** Build re-parameterisable blocks directly in their inference form. */
  fused?: boolean;
}

/** Where a training run is, for state that changes while a model trains (e.g. DyConv's temperature). */
export interface TrainingProgress {
  /** Optimisation steps completed. */
  stepsDone: number;
  /** Optimisation steps per epoch (batches of one epoch). */
  stepsPerEpoch: number;
  /** Epochs of the whole run (train.epochs). */
  epochs: number;
}

/** The hooks of a family whose models have no training-time state and are inferred as built (spread them in). */
export const STATELESS_FAMILY_HOOKS = {
  fusesForInference: (): boolean => true,
  temperatureAt: (): number | null => null,
  setTemperature: (): void => {},
  inputSizeProblems: (): SizeProblems => ({refused: [], warnings: []}),
};

/** What ModelFamily.inputSizeProblems finds: one-line messages naming the key and the fix. */
/**
 * What a family's `loadPretrained` hook loaded into a model before its first training step; the run's manifest
 * records it as `pretrained`.
 */
export interface PretrainedWeights {
  /** The weights file, as an absolute path. */
  file: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /** The naming scheme the file's tensor names follow (EMCAD: 'pvt-v2', the authors' release, or 'timm'). */
  scheme: string;
  /** How many of the model's weights were set from the file. */
  loaded: number;
  /** Weights the model has and the file lacks (the file's names); they keep their initial values. */
  missing: string[];
  /** The file's tensors that were not used (the file's names), but those expected and ignored (a classifier head). */
  unexpected: string[];
}

export interface SizeProblems {
  refused: string[];
  warnings: string[];
}

/**
 * Side in px of the feature map at encoder level `level` (0 = full resolution) for `size` px inputs: each level
 * halves it (2x down-sampling), as levelWidths' five levels do.
 */
export function featureMapSize(size: number, level: number): number {
  return Math.max(1, Math.floor(size / 2 ** level));
}

/**
 * Checks a `kernel` x `kernel` 'same'-padded convolution named `key` that runs at encoder `levels` for `size` px
 * inputs: beyond 2n - 1 taps on an n-pixel map, the extra ones only ever see padding. Refused when that holds at its
 * shallowest (largest) level, a warning naming the levels when only at deeper ones. Adds to `into`. Messages name
 * levels as `levelName` gives them (default `level <encoder level>`; MS-LKSeg's skips say `skip level <1-4>`).
 */
export function checkKernel(into: SizeProblems, key: string, kernel: number, levels: readonly number[], size: number,
  levelName: (level: number) => string = (l) => `level ${l}`): void {
  const fits = (level: number) => kernel <= 2 * featureMapSize(size, level) - 1;
  const shallowest = Math.min(...levels);
  const n = featureMapSize(size, shallowest);
  if (!fits(shallowest)) {
    into.refused.push(`${key} ${kernel} runs at ${levelName(shallowest)} on a ${n}x${n} feature map (data.size ${size}), where taps beyond ${2 * n - 1}x${2 * n - 1} only see padding: use at most ${2 * n - 1}, or a larger data.size`);
    return;
  }
  const wasted = levels.filter((l) => !fits(l));
  if (wasted.length > 0) {
    into.warnings.push(`${key} ${kernel} is larger than the feature map allows at ${wasted.map(levelName).join(' and ')} (data.size ${size}: taps beyond 2n - 1 on an n-pixel map only see padding)`);
  }
}

/** An odd positive integer (kernel sizes with 'same' padding). */
export const oddKernel = z.number().int().positive().refine((k) => k % 2 === 1, {message: 'kernel sizes must be odd'});
