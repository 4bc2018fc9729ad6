// The model registry (timm style): name -> schema, knobs and builder. A model config is a plain object whose
// `model` key names the family; everything else is that family's knobs, validated strictly before building.
import type * as tf from '@tensorflow/tfjs';
import type {z} from 'zod';
import './layers/index.js';
import type {BuildOptions} from './config/common.js';
import {ConfigError, parseWithSchema} from '../config/parse.js';
import {nearestName} from '../config/nearest-name.js';
import {attentionUNetKnobs, attentionUNetSchema, buildAttentionUNet, type AttentionUNetConfig} from './families/attention-unet.js';
import {buildLkUNet, lkUNetKnobs, lkUNetSchema, type LkUNetConfig} from './families/lk-unet.js';
import {buildMsLkSeg, msLkSegKnobs, msLkSegSchema, type MsLkSegConfig} from './families/ms-lkseg.js';
import {buildUNet, unetKnobs, unetSchema, type UNetConfig} from './families/unet.js';
import {buildUNetPP, unetppKnobs, unetppSchema, type UNetPPConfig} from './families/unetpp.js';

export type ModelConfig = MsLkSegConfig | UNetConfig | AttentionUNetConfig | UNetPPConfig | LkUNetConfig;
export type ModelName = ModelConfig['model'];

interface ModelFamily<C extends ModelConfig> {
  name: C['model'];
  description: string;
  schema: z.ZodType<C, z.ZodTypeDef, unknown>;
  knobs: Record<string, string>;
  build(config: C, options?: BuildOptions): tf.LayersModel;
}

type Registry = {[N in ModelName]: ModelFamily<Extract<ModelConfig, {model: N}>>};

export const MODEL_REGISTRY: Registry = {
  'ms-lkseg': {
    name: 'ms-lkseg', description: 'MS-LKSeg: MIS encoder (DyConv, MIE, MIDM), LD large-kernel skips (Li, Niu et al. 2025)',
    schema: msLkSegSchema, knobs: msLkSegKnobs, build: buildMsLkSeg,
  },
  unet: {
    name: 'unet', description: 'U-Net (Ronneberger et al. 2015) = ms-lkseg with every toggle off',
    schema: unetSchema, knobs: unetKnobs, build: buildUNet,
  },
  'attention-unet': {
    name: 'attention-unet', description: 'Attention U-Net (Oktay et al. 2018): additive attention gates on the skips',
    schema: attentionUNetSchema, knobs: attentionUNetKnobs, build: buildAttentionUNet,
  },
  unetpp: {
    name: 'unetpp', description: 'UNet++ (Zhou et al. 2018): nested dense skip pathways, no deep supervision',
    schema: unetppSchema, knobs: unetppKnobs, build: buildUNetPP,
  },
  'lk-unet': {
    name: 'lk-unet', description: 'Large-kernel U-Net, CMUNeXt-style (Tang et al. 2024): depthwise large kernels + inverted bottlenecks',
    schema: lkUNetSchema, knobs: lkUNetKnobs, build: buildLkUNet,
  },
};

export const MODEL_NAMES = Object.keys(MODEL_REGISTRY) as ModelName[];

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(MODEL_REGISTRY, name);
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

/** Builds the model of a resolved (or raw) config. The resolved config rides along in the model's metadata. */
export function buildModel(config: unknown, options: BuildOptions = {}): {model: tf.LayersModel; config: ModelConfig} {
  const resolved = parseModelConfig(config);
  const family = MODEL_REGISTRY[resolved.model] as unknown as ModelFamily<ModelConfig>;
  const model = family.build(resolved, options);
  model.setUserDefinedMetadata({mslk: {config: resolved, seed: options.seed ?? 0}});
  return {model, config: resolved};
}
