// Model configs from the command line: a YAML/JSON file, or a registered name (its defaults), then
// `--set key.path=value` overrides (values parsed as YAML: numbers, booleans, null, [lists]).
import {readFile} from 'node:fs/promises';
import {parse as parseYaml} from 'yaml';
import {ConfigError} from './parse.js';
import {isModelName, parseModelConfig, type ModelConfig} from '../registry.js';

/** Applies one `a.b.c=value` override to a plain object (in place). A leading 'model.' is allowed. */
export function applyOverride(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set '${assignment}': expected key.path=value`);
  let path = assignment.slice(0, eq).trim().split('.');
  if (path[0] === 'model' && path.length > 1) path = path.slice(1);
  const value: unknown = parseYaml(assignment.slice(eq + 1));
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new ConfigError(`--set '${assignment}': '${key}' is not a group of settings`);
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

/** Reads a raw config: `source` is a file path or a registered model name. */
export async function readRawModelConfig(source: string): Promise<Record<string, unknown>> {
  if (isModelName(source)) return {model: source};
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config '${source}': ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (and not a model name)' : (error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${source}: expected a mapping of settings`);
  // A full run config keeps the model under `model:` as a mapping; a model config is the mapping itself.
  const model = (raw as Record<string, unknown>)['model'];
  return typeof model === 'object' && model !== null ? (model as Record<string, unknown>) : (raw as Record<string, unknown>);
}

export async function loadModelConfig(source: string, overrides: readonly string[] = []): Promise<ModelConfig> {
  const raw = await readRawModelConfig(source);
  for (const o of overrides) applyOverride(raw, o);
  return parseModelConfig(raw);
}
