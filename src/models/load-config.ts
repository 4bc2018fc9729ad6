// Model configs from the command line: a YAML file (which may `extends` others, and may be a whole run config, whose
// `model:` mapping is used), or a registered name (its defaults), then `--set key.path=value` overrides.
import {ConfigError} from '../config/parse.js';
import {applyOverride, isPlainConfig, nestModelConfig, PACKAGE_CONFIGS, readConfigTree} from '../config/files.js';
import {isModelName, parseModelConfig, type ModelConfig} from './registry.js';

/** Reads a raw model config: `source` is a file path or a registered model name. */
export async function readRawModelConfig(source: string): Promise<Record<string, unknown>> {
  if (isModelName(source)) return {model: source};
  const tree = await readConfigTree(source, {fallbackDir: PACKAGE_CONFIGS, normalise: nestModelConfig, missingHint: ' (and not a model name)'});
  const model = tree['model'];
  if (!isPlainConfig(model)) throw new ConfigError(`${source}: no model: expected 'model: <name>' or a 'model:' mapping`);
  return model;
}

/** Applies `key.path=value` to a model config; a leading 'model.' is allowed. */
export function applyModelOverride(raw: Record<string, unknown>, assignment: string): void {
  applyOverride(raw, assignment, {within: 'model'});
}

export async function loadModelConfig(source: string, overrides: readonly string[] = []): Promise<ModelConfig> {
  const raw = await readRawModelConfig(source);
  for (const o of overrides) applyModelOverride(raw, o);
  return parseModelConfig(raw);
}
