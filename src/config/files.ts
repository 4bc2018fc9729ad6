// Config files (MMSegmentation style): YAML mappings that may `extends` base files (merged in order, the file's own
// keys last; mappings merge key by key, lists are replaced), then `a.b.c=value` overrides. Shared by model configs
// and run configs.
import {existsSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {dirname, isAbsolute, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parse as parseYaml} from 'yaml';
import {ConfigError} from './parse.js';

/** configs/ of the installed package (src/config and dist/config both sit two levels below the root). */
export const PACKAGE_CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

/** A model config on its own (configs/models/*.yaml) names its family at the top level: nest it under `model:`. */
export function nestModelConfig(raw: PlainConfig): PlainConfig {
  return typeof raw['model'] === 'string' ? {model: raw} : raw;
}

export type PlainConfig = Record<string, unknown>;

export function isPlainConfig(v: unknown): v is PlainConfig {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: mappings merge key by key, everything else (lists included) is replaced. */
export function mergeConfigs(base: PlainConfig, over: PlainConfig): PlainConfig {
  const out: PlainConfig = {...base};
  for (const [k, v] of Object.entries(over)) out[k] = isPlainConfig(v) && isPlainConfig(out[k]) ? mergeConfigs(out[k] as PlainConfig, v) : v;
  return out;
}

/** Parses a YAML file that must hold a mapping (an empty file is an empty mapping). */
export async function readYamlMapping(file: string, missingHint = ''): Promise<PlainConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such file${missingHint}` : code === 'EISDIR' ? 'is a directory; pass a YAML file' : (error as Error).message;
    throw new ConfigError(`cannot read config '${file}': ${why}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return {};
  if (!isPlainConfig(raw)) throw new ConfigError(`${file}: expected a mapping of settings`);
  return raw;
}

export interface ConfigTreeOptions {
  /** Folder searched for a base that is not found next to the file that extends it. */
  fallbackDir?: string;
  /** Rewrites each file's mapping before merging (e.g. to nest a model config under `model:`). */
  normalise?: (raw: PlainConfig) => PlainConfig;
  missingHint?: string;
}

/** Reads a config file with its `extends` chain merged in (bases first), detecting cycles. */
export async function readConfigTree(file: string, options: ConfigTreeOptions = {}, seen: readonly string[] = []): Promise<PlainConfig> {
  const path = resolve(file);
  if (seen.includes(path)) throw new ConfigError(`extends cycle: ${[...seen, path].join(' -> ')}`);
  const raw = await readYamlMapping(path, seen.length === 0 ? options.missingHint : '');
  const {extends: ext, ...rest} = raw;
  const own = options.normalise ? options.normalise(rest) : rest;
  const bases = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  let merged: PlainConfig = {};
  for (const ref of bases) {
    if (typeof ref !== 'string') throw new ConfigError(`${path}: extends takes file names`);
    const candidates = isAbsolute(ref) ? [ref] : [resolve(dirname(path), ref), ...(options.fallbackDir ? [join(options.fallbackDir, ref)] : [])];
    const found = candidates.find((c) => existsSync(c));
    if (!found) throw new ConfigError(`extends '${ref}': no such file (looked in ${candidates.join(' and ')})`);
    merged = mergeConfigs(merged, await readConfigTree(found, options, [...seen, path]));
  }
  return mergeConfigs(merged, own);
}

/** Applies one `a.b.c=value` override in place; the value is parsed as YAML (numbers, booleans, null, [lists]). */
export function applyOverride(target: PlainConfig, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set '${assignment}': expected key.path=value`);
  const path = assignment.slice(0, eq).trim().split('.');
  const value: unknown = parseYaml(assignment.slice(eq + 1));
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (!isPlainConfig(next)) throw new ConfigError(`--set '${assignment}': '${key}' is not a group of settings`);
    node = node[key] as PlainConfig;
  }
  node[path.at(-1)!] = value;
}
