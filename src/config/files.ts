// Config files (MMSegmentation style): YAML mappings that may `extends` base files (merged in order, the file's own
// keys last; mappings merge key by key, lists are replaced), then `a.b.c=value` overrides. Shared by model configs
// and run configs. Sibling bases must not set the same key (which one wins would depend on their order, silently):
// see base-conflicts.ts.
import {readFile, stat} from 'node:fs/promises';
import {dirname, isAbsolute, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parse as parseYaml} from 'yaml';
import {addLayer, checkSiblingBases, displayPath, leavesOf, type KeySource} from './base-conflicts.js';
import {checkConfigKey, checkConfigKeys, isPlainConfig, type PlainConfig} from './key-path.js';
import {ConfigError} from './parse.js';
import {findInvalidUtf8} from './visible-text.js';

export {isPlainConfig, type PlainConfig} from './key-path.js';
export {applyOverride} from './overrides.js';

/** configs/ of the installed package (src/config and dist/config both sit two levels below the root). */
export const PACKAGE_CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

/** A model config on its own (configs/models/*.yaml) names its family at the top level: nest it under `model:`. */
export function nestModelConfig(raw: PlainConfig): PlainConfig {
  return typeof raw['model'] === 'string' ? {model: raw} : raw;
}

/**
 * Deep merge: mappings merge key by key, everything else (lists included) is replaced. Neither input is changed.
 * Throws ConfigError for a reserved key (`__proto__`, `constructor`, `prototype`), which would otherwise set the
 * result's prototype instead of a setting.
 */
export function mergeConfigs(base: PlainConfig, over: PlainConfig): PlainConfig {
  const out: PlainConfig = {...base};
  for (const [k, v] of Object.entries(over)) {
    checkConfigKey(k, [k], 'merging configs');
    const current = Object.hasOwn(out, k) ? out[k] : undefined;
    out[k] = isPlainConfig(v) && isPlainConfig(current) ? mergeConfigs(current, v) : v;
  }
  return out;
}

/** Why a config file cannot be read, with the fix, or undefined when it is a readable file. */
async function unreadableReason(file: string): Promise<string | undefined> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) return info.code === 'ENOENT' ? 'no such file' : info.message.split('\n')[0];
  if (info.isDirectory()) return 'it is a folder: name a YAML file in it';
  return undefined;
}

/**
 * Parses a YAML file that must hold a mapping (an empty file is an empty mapping; a leading BOM is dropped). Throws
 * ConfigError for a missing file or a folder (with `missingHint` appended), bytes that are not UTF-8 (naming the
 * line, column and byte offset of the first), invalid YAML, a document that is not a mapping, and a key that is
 * reserved or holds an invisible character (checkConfigKey).
 */
export async function readYamlMapping(file: string, missingHint = ''): Promise<PlainConfig> {
  const reason = await unreadableReason(file);
  if (reason !== undefined) throw new ConfigError(`cannot read config '${file}': ${reason}${reason === 'no such file' ? missingHint : ''}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ConfigError(`cannot read config '${file}': ${(error as Error).message.split('\n')[0]}`);
  }
  // Decoding alone would turn a Latin-1 byte into U+FFFD, silently part of a name or a key from then on.
  const fault = findInvalidUtf8(bytes);
  if (fault !== undefined) {
    throw new ConfigError(`${file}: not valid UTF-8: byte 0x${fault.byte.toString(16).toUpperCase()} at line ${fault.line}, column ${fault.column} (byte offset ${fault.offset}): save the file as UTF-8`);
  }
  // A leading BOM (Windows editors write one) is no part of the first key; yaml drops it too, this makes it certain.
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return {};
  if (!isPlainConfig(raw)) throw new ConfigError(`${file}: expected a mapping of settings`);
  checkConfigKeys(raw, file);
  return raw;
}

export interface ConfigTreeOptions {
  /** Folder searched for a base that is not found next to the file that extends it. */
  fallbackDir?: string;
  /** Rewrites each file's mapping before merging (e.g. to nest a model config under `model:`). */
  normalise?: (raw: PlainConfig) => PlainConfig;
  missingHint?: string;
}

interface ConfigTree {
  config: PlainConfig;
  /** Every key the config sets, with the file whose value it holds. */
  sources: KeySource[];
}

/** The file an `extends` entry names: next to the extending file, else in fallbackDir. Throws ConfigError. */
async function findBase(ref: unknown, extending: string, options: ConfigTreeOptions): Promise<string> {
  const where = displayPath(extending, options.fallbackDir);
  if (typeof ref !== 'string' || ref.trim() === '') {
    throw new ConfigError(`${where}: extends takes a file name or a list of file names, not ${JSON.stringify(ref)}: write e.g. 'extends: [models/unet.yaml, training/default.yaml]'`);
  }
  const candidates = isAbsolute(ref) ? [ref] : [resolve(dirname(extending), ref), ...(options.fallbackDir ? [join(options.fallbackDir, ref)] : [])];
  const reasons: string[] = [];
  for (const candidate of candidates) {
    const reason = await unreadableReason(candidate);
    if (reason === undefined) return candidate;
    reasons.push(reason);
  }
  const folder = candidates.find((_, i) => reasons[i]!.startsWith('it is a folder'));
  if (folder !== undefined) {
    throw new ConfigError(`${where}: extends '${ref}' names a folder (${folder}), not a config file: name a YAML file in it, e.g. '${ref.replace(/\/+$/, '')}/<name>.yaml'`);
  }
  const looked = candidates.map((c) => displayPath(c, options.fallbackDir)).join(' and ');
  throw new ConfigError(`${where}: extends '${ref}': no such file (looked for ${looked}): fix the name, relative to this file's folder${options.fallbackDir ? " or to mslk's configs/" : ''}`);
}

async function readTree(file: string, options: ConfigTreeOptions, seen: readonly string[]): Promise<ConfigTree> {
  const path = resolve(file);
  if (seen.includes(path)) throw new ConfigError(`extends cycle: ${[...seen, path].join(' -> ')}`);
  const raw = await readYamlMapping(path, seen.length === 0 ? options.missingHint : '');
  const {extends: ext, ...rest} = raw;
  const own = options.normalise ? options.normalise(rest) : rest;
  const refs = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  const bases: ConfigTree[] = [];
  for (const ref of refs) bases.push(await readTree(await findBase(ref, path, options), options, [...seen, path]));
  const ownSources = leavesOf(own, path);
  checkSiblingBases(path, bases.map((b) => b.sources), ownSources, options.fallbackDir);
  let config: PlainConfig = {};
  let sources: KeySource[] = [];
  for (const base of bases) {
    config = mergeConfigs(config, base.config);
    sources = addLayer(sources, base.sources);
  }
  return {config: mergeConfigs(config, own), sources: addLayer(sources, ownSources)};
}

/**
 * Reads a config file with its `extends` chain merged in (bases first, then the file's own keys), detecting cycles.
 * Throws ConfigError (one line) for a missing or unreadable file or base, a folder named as a base, invalid YAML, a
 * reserved key, and two sibling bases (directly or through their own bases) that set the same key while the file
 * itself does not (the error names both files and the key).
 */
export async function readConfigTree(file: string, options: ConfigTreeOptions = {}): Promise<PlainConfig> {
  return (await readTree(file, options, [])).config;
}
