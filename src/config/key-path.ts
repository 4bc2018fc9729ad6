// Dotted key paths into plain config objects (`train.optimizer.lr`): the one place where a path from the user
// (--set, a suite's overrides) or a key from a YAML file is applied to an object. Segments that would reach an
// object's prototype (`__proto__`, `constructor`, `prototype`) are refused here, so no input can pollute
// Object.prototype or turn a typo into a silent write somewhere else.
import {ConfigError} from './parse.js';
import {escapeInvisible, firstInvisible} from './visible-text.js';

/** A config mapping as parsed from YAML or JSON. */
export type PlainConfig = Record<string, unknown>;

/** True for a mapping (not null, not a list). */
export function isPlainConfig(v: unknown): v is PlainConfig {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys that name an object's prototype machinery rather than a setting: never valid in a config. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `a.b.c` for messages. */
export function formatKeyPath(path: readonly string[]): string {
  return path.join('.').replaceAll('.[', '[');
}

/**
 * Throws ConfigError when `key` (at `path`, for the message) is one of FORBIDDEN_KEYS, or holds an invisible
 * character (a zero-width space, a BOM, a control character): `train\u200b` looks like `train` and would be an
 * unknown key, or worse a new one, with nothing to see. The key is shown escaped. `where` starts the message (a
 * file name, or `--set a.b=1`).
 */
export function checkConfigKey(key: string, path: readonly string[], where: string): void {
  if (FORBIDDEN_KEYS.has(key)) {
    const subject = path.length > 1 ? `'${formatKeyPath(path)}' contains '${key}'` : `'${key}'`;
    throw new ConfigError(`${where}: ${subject}, a reserved name that reaches the object prototype, not a setting: remove or rename it`);
  }
  const invisible = firstInvisible(key);
  if (invisible !== undefined) {
    throw new ConfigError(`${escapeInvisible(where)}: the key '${escapeInvisible(formatKeyPath(path))}' holds an invisible character (${invisible}): retype the key`);
  }
}

/**
 * Splits a dotted path into its segments. Throws ConfigError (message starting with `where`) for an empty path or
 * segment (`a..b`, `.a`) and for a reserved segment (`__proto__`, `constructor`, `prototype`).
 */
export function parseKeyPath(text: string, where: string): string[] {
  const path = text.trim().split('.');
  if (path.some((segment) => segment === '')) throw new ConfigError(`${where}: the key '${text}' has an empty part: write it as a.b.c`);
  path.forEach((segment, i) => checkConfigKey(segment, path.slice(0, i + 1), where));
  return path;
}

/**
 * Sets `value` at `path` inside `target` (in place), creating missing groups. Only own properties are followed,
 * so inherited names (`toString`) are new keys like any other. Throws ConfigError when a segment is reserved or
 * when a group on the way holds a value that is not a mapping.
 */
export function setAtKeyPath(target: PlainConfig, path: readonly string[], value: unknown, where: string): void {
  if (path.length === 0) throw new ConfigError(`${where}: the key is empty: write it as a.b.c`);
  path.forEach((segment, i) => checkConfigKey(segment, path.slice(0, i + 1), where));
  let node = target;
  for (const [i, key] of path.slice(0, -1).entries()) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) node[key] = {};
    else if (!isPlainConfig(next)) throw new ConfigError(`${where}: '${formatKeyPath(path.slice(0, i + 1))}' is not a group of settings`);
    node = node[key] as PlainConfig;
  }
  node[path.at(-1)!] = value;
}

/**
 * Checks every key of a parsed document (mappings inside lists included) with checkConfigKey: a YAML file with
 * `__proto__:` is refused before anything merges it. `where` names the file.
 */
export function checkConfigKeys(value: unknown, where: string, path: readonly string[] = []): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkConfigKeys(item, where, [...path, `[${i}]`]));
  } else if (isPlainConfig(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkConfigKey(key, [...path, key], where);
      checkConfigKeys(item, where, [...path, key]);
    }
  }
}
