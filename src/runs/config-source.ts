// A config named on the command line, resolved for display (`mslk config show`, MMSegmentation's print_config):
// a run config file, or a model config on its own (a file whose top-level `model:` names a family, or a
// registered model name), with `extends` merged, `--set` applied and every default filled.
import {ConfigError} from '../config/parse.js';
import {readYamlMapping} from '../config/files.js';
import {loadModelConfig} from '../models/load-config.js';
import {isModelName, type ModelConfig} from '../models/registry.js';
import {resolveRunConfig, type ResolveRunOptions, type RunConfig} from './config.js';

export type ResolvedConfigSource = {kind: 'run'; config: RunConfig} | {kind: 'model'; config: ModelConfig};

const RUN_SECTIONS = new Set(['data', 'train', 'eval', 'seed']);

/** Whether options only make sense for a run: --dataset, --seed, or a --set of data.*, train.*, eval.*, seed. */
function touchesRunSettings(options: ResolveRunOptions): boolean {
  const heads = (options.set ?? []).map((a) => a.slice(0, Math.max(0, a.indexOf('='))).split('.')[0]!.trim());
  return options.dataset !== undefined || options.seed !== undefined || heads.some((h) => RUN_SECTIONS.has(h));
}

/**
 * Resolves `source` as `mslk train` (a run config) or `mslk export` (a model config) would. A model config file is
 * shown as a model config unless the options set run keys (--dataset, --seed, --set train.* ...): then it is the
 * run config `mslk train` would run with it. Throws ConfigError (one line) for a missing or invalid file, or run
 * options given with a bare model name.
 */
export async function resolveConfigSource(source: string, options: ResolveRunOptions = {}): Promise<ResolvedConfigSource> {
  if (isModelName(source)) {
    if (touchesRunSettings(options)) {
      throw new ConfigError(`'${source}' is a model name: data, train, eval and seed need a run config (e.g. configs/models/${source}.yaml)`);
    }
    return {kind: 'model', config: await loadModelConfig(source, options.set ?? [])};
  }
  const ownModel = (await readYamlMapping(source, ' (and not a model name)'))['model'];
  if (typeof ownModel === 'string' && !touchesRunSettings(options)) return {kind: 'model', config: await loadModelConfig(source, options.set ?? [])};
  return {kind: 'run', config: await resolveRunConfig(source, options)};
}
