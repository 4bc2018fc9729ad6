// The model registry (timm style): one entry per model family. A model config is a plain object whose `model` key
// names the family; everything else is that family's knobs, described and validated by the family's schema.
// Whatever differs between families (how to build, whether to fuse for inference, state that changes while
// training) is a hook of the family: callers ask `familyOf(config)`, never compare names. A new family is its own
// file (a `ModelFamily` object) and one line in FAMILIES below.
import type * as tf from '@tensorflow/tfjs';
import type {z} from 'zod';
import './layers/index.js';
import type {BuildOptions, PretrainedWeights, SizeProblems, TrainingProgress} from './families/common.js';
import {ConfigError, parseWithSchema} from '../config/parse.js';
import {checkModelOutputs, SINGLE_OUTPUT, type ModelOutputs} from './heads.js';
import {nearestName} from '../config/nearest-name.js';
import {ownSharedLayers} from './shared-layers.js';
import {attentionUNetFamily} from './families/attention-unet.js';
import {emcadFamily} from './families/emcad.js';
import {lkUNetFamily} from './families/lk-unet.js';
import {msLkSegFamily} from './families/ms-lkseg.js';
import {unetFamily} from './families/unet.js';
import {unetppFamily} from './families/unetpp.js';

/**
 * A model family: its config schema (every field carries a `.describe()`; `models list` prints them), its
 * builder, and the hooks training, evaluation and export ask instead of checking the family's name.
 * A family whose model has several outputs (EMCAD: one head per decoder stage) says so in `outputs`: how many,
 * how the training loss combines them, which map inference uses; the single-output families leave it out.
 */
export interface ModelFamily<C extends {model: string}> {
  name: C['model'];
  /** One line: what the model is, with its source. */
  description: string;
  /** Strict schema with defaults; its output is the resolved config. */
  schema: z.ZodType<C, z.ZodTypeDef, unknown>;
  /** Builds the model (NHWC input, logits output; EMCAD: four outputs, see buildEmcad) of a resolved config. */
  build(config: C, options?: BuildOptions): tf.LayersModel;
  /** Whether evaluation, prediction and export run this config in its fused (re-parameterised) form. */
  fusesForInference(config: C): boolean;
  /**
   * The softmax temperature (DyConv) the model runs at once `progress.stepsDone` steps are done, or null when
   * this config has none. Training step s (0-based) runs at the temperature after s + 1 steps; a checkpoint is
   * evaluated at the temperature of the step that wrote it.
   */
  temperatureAt(config: C, progress: TrainingProgress): number | null;
  /** Sets a model built by this family to temperature `tau` (> 0). */
  setTemperature(model: tf.LayersModel, tau: number): void;
  /**
   * Called by the training loop before every training step with `stepsDone`, the 0-based index of the step about
   * to run (steps of earlier epochs included), to set state that the step draws from (EMCAD: the step its DropPath
   * layers draw their seeded masks for). Whatever it sets must depend on `stepsDone` alone, so that a run resumed
   * from a checkpoint trains exactly as an uninterrupted one. Optional: families without such state leave it out.
   */
  beforeTrainingStep?(model: tf.LayersModel, stepsDone: number): void;
  /**
   * What is wrong with running this config on `size` x `size` inputs (px), as one-line messages naming the key and
   * the fix. A kernel larger than 2 n - 1 on an n-pixel feature map has taps that only ever see padding: when that
   * holds on every feature map a kernel runs on, it is `refused` (`ld.largeKernel: 1001` at 32 px was 60M
   * parameters spent on nothing); when only on the deeper ones, a `warning`.
   */
  inputSizeProblems(config: C, size: number): SizeProblems;
  /**
   * The outputs of a model built from `config`: how many logit maps `build` returns (in its order), how the
   * training loss aggregates their losses (MUTATION, deep supervision, one head: src/models/heads.ts), and which
   * map inference uses. Optional: without it, one output (SINGLE_OUTPUT), trained and inferred as it is.
   */
  outputs?(config: C): ModelOutputs;
  /**
   * Only for families with pretrained weights (EMCAD's `model.pretrained`): sets a model just built from `config`
   * for a new training (never a resumed one: its checkpoint holds the weights) to the config's weights file and
   * says what it loaded, or null when the config names no file (the model trains from scratch). Throws an Error
   * (one line) when the file is missing, unreadable, of neither naming scheme, or of other shapes.
   */
  loadPretrained?(model: tf.LayersModel, config: C): Promise<PretrainedWeights | null>;
  /**
   * How reports and tables name a model of this config where the family name alone would hide what matters
   * (EMCAD: 'EMCAD (scratch)' or 'EMCAD (ImageNet)'). Optional: without it, the family's name.
   */
  label?(config: C): string;
}

/**
 * Throws ConfigError (one line) when `config` cannot train on the data: images are fed as RGB (3 channels, grey
 * ones replicated) and masks are binary (one channel), and the family's kernels must fit the feature maps of
 * `size` px inputs (ModelFamily.inputSizeProblems). Called before a run writes anything.
 */
export function checkModelForData(config: ModelConfig, data: {size: number; imageChannels: number; maskChannels: number}): {warnings: string[]} {
  const problems: string[] = [];
  if (config.inChannels !== data.imageChannels) {
    problems.push(`model.inChannels is ${config.inChannels}, but images are fed with ${data.imageChannels} channels (RGB; grey images are replicated): set model.inChannels=${data.imageChannels}`);
  }
  if (config.outChannels !== data.maskChannels) {
    problems.push(`model.outChannels is ${config.outChannels}, but the masks are binary (${data.maskChannels} channel): set model.outChannels=${data.maskChannels}`);
  }
  const sizes = familyOf(config).inputSizeProblems(config, data.size);
  problems.push(...sizes.refused);
  if (problems.length > 0) throw new ConfigError(problems.length === 1 ? problems[0]! : `${problems[0]} (and ${problems.length - 1} more: ${problems.slice(1).join('; ')})`);
  return {warnings: sizes.warnings};
}

/** Every registered family, in the order `models list` shows them. */
const FAMILIES = [msLkSegFamily, unetFamily, attentionUNetFamily, unetppFamily, lkUNetFamily, emcadFamily] as const;

type ConfigOf<F> = F extends {schema: z.ZodType<infer C, z.ZodTypeDef, unknown>} ? C : never;

/** A resolved model config of any registered family (a union discriminated by `model`). */
export type ModelConfig = ConfigOf<(typeof FAMILIES)[number]>;
export type ModelName = ModelConfig['model'];

type Registry = {[N in ModelName]: ModelFamily<Extract<ModelConfig, {model: N}>>};

export const MODEL_REGISTRY = Object.fromEntries(FAMILIES.map((f) => [f.name, f])) as unknown as Registry;

export const MODEL_NAMES = FAMILIES.map((f) => f.name) as ModelName[];

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(MODEL_REGISTRY, name);
}

/** The family of a resolved config, whose hooks take that config. */
export function familyOf<C extends ModelConfig>(config: C): ModelFamily<C> {
  return MODEL_REGISTRY[config.model] as unknown as ModelFamily<C>;
}

/**
 * Sets `model` (built from `config`) to the training-time state after `progress` (DyConv temperature) and returns
 * the temperature, or null when the config has none.
 */
export function applyTrainingProgress(model: tf.LayersModel, config: ModelConfig, progress: TrainingProgress): number | null {
  const family = familyOf(config);
  const tau = family.temperatureAt(config, progress);
  if (tau !== null) family.setTemperature(model, tau);
  return tau;
}

/**
 * The outputs of a model built from `config` (the family's `outputs` hook, else SINGLE_OUTPUT). Throws an Error
 * (one line) when the hook's answer is inconsistent (a head index out of range).
 */
export function outputsOf(config: ModelConfig): ModelOutputs {
  const family = familyOf(config);
  return family.outputs ? checkModelOutputs(family.outputs(config), config.model) : SINGLE_OUTPUT;
}

/**
 * Loads the pretrained weights `config` names into `model` (just built from it, before its first training step):
 * what was loaded, null when the config names none (from scratch), or undefined when the family has no such knob.
 * Throws the hook's one-line Error (a missing file, another naming scheme, a shape mismatch).
 */
export async function loadPretrainedWeights(model: tf.LayersModel, config: ModelConfig): Promise<PretrainedWeights | null | undefined> {
  const family = familyOf(config);
  return family.loadPretrained ? family.loadPretrained(model, config) : undefined;
}

/**
 * The weights file a config names (its `pretrained` key, the convention of families with a loadPretrained hook), or
 * null when it names none or its family has no such knob.
 */
export function pretrainedFile(config: ModelConfig): string | null {
  if (familyOf(config).loadPretrained === undefined) return null;
  const file = (config as {pretrained?: unknown}).pretrained;
  return typeof file === 'string' ? file : null;
}

/** How reports name a model of `config` (ModelFamily.label), or null when its family name says it all. */
export function modelLabel(config: ModelConfig): string | null {
  const family = familyOf(config);
  return family.label ? family.label(config) : null;
}

/**
 * The name reports and tables give a model called `variant` whose config is `config`: where the name is the family's
 * own (a suite baseline `emcad`, a runs folder's `emcad` or `emcad encoder=b0`), the family's label takes its place
 * ('EMCAD (scratch)', 'EMCAD (ImageNet) encoder=b0'); a family without a label, and names a suite author chose
 * ('full', 'w/o CAB', grid points), are kept as they are.
 */
export function labelVariant(variant: string, config: ModelConfig): string {
  const label = modelLabel(config);
  if (label === null) return variant;
  if (variant === config.model) return label;
  return variant.startsWith(`${config.model} `) ? `${label}${variant.slice(config.model.length)}` : variant;
}

/** Validates a plain config object (from YAML or JSON) and fills in every default. Throws ConfigError. */
export function parseModelConfig(raw: unknown, prefix = ''): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${prefix || 'model config'}: expected an object with a 'model' key`);
  const name = (raw as {model?: unknown}).model;
  const where = prefix ? `${prefix}.model` : 'model';
  if (typeof name !== 'string') throw new ConfigError(`${where}: missing; use one of ${MODEL_NAMES.join(', ')}`);
  if (!isModelName(name)) {
    const near = nearestName(name, MODEL_NAMES);
    throw new ConfigError(`${where}: unknown model '${name}'${near ? `: did you mean '${near}'?` : ''} (known: ${MODEL_NAMES.join(', ')})`);
  }
  return parseWithSchema(MODEL_REGISTRY[name].schema as z.ZodTypeAny, raw, prefix) as ModelConfig;
}

/** The resolved config with every default, for a registered name. */
export function defaultModelConfig(name: ModelName): ModelConfig {
  return parseModelConfig({model: name});
}

/**
 * Builds the model of a resolved (or raw) config. The resolved config rides along in the model's metadata. Throws
 * an Error (one line) when the model has another number of outputs than its family's `outputs` hook declares.
 */
export function buildModel(config: unknown, options: BuildOptions = {}): {model: tf.LayersModel; config: ModelConfig} {
  const resolved = parseModelConfig(config);
  // A layer applied at several places (EMCAD's shared SAB) must be freed with the model.
  const model = ownSharedLayers(familyOf(resolved).build(resolved, options));
  const declared = outputsOf(resolved).heads;
  if (model.outputs.length !== declared) {
    model.dispose();
    throw new Error(`model family '${resolved.model}' built ${model.outputs.length} outputs but its outputs hook declares ${declared}: fix the family`);
  }
  model.setUserDefinedMetadata({mslk: {config: resolved, seed: options.seed ?? 0}});
  return {model, config: resolved};
}
