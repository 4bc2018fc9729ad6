// Which file set each key of a merged config, and the rule that sibling bases of one `extends` list must not set
// the same key: `extends: [datasets/busi.yaml, training/default.yaml]` once turned BUSI's split into the training
// base's without a word, because the later base silently won. A file's own keys still override its bases (that is
// what a file is for), and a base overriding the base it extends is a child overriding its parent: both are fine.
import {basename, isAbsolute, relative} from 'node:path';
import {formatKeyPath, isPlainConfig, type PlainConfig} from './key-path.js';
import {ConfigError} from './parse.js';

/** One key a config sets (a value that is not a mapping; empty mappings set nothing) and the file it comes from. */
export interface KeySource {
  path: string[];
  /** Absolute path of the file whose value the merged config holds. */
  file: string;
}

/** Every key `config` sets, attributed to `file`. */
export function leavesOf(config: PlainConfig, file: string, prefix: readonly string[] = []): KeySource[] {
  return Object.entries(config).flatMap(([key, value]) =>
    isPlainConfig(value) ? leavesOf(value, file, [...prefix, key]) : [{path: [...prefix, key], file}]);
}

/** True when one path is a prefix of (or equal to) the other: merging the later replaces the earlier's value. */
function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The sources after merging `layer` over `below`: keys the layer replaces lose their old source. */
export function addLayer(below: readonly KeySource[], layer: readonly KeySource[]): KeySource[] {
  return [...below.filter((s) => !layer.some((l) => overlaps(s.path, l.path))), ...layer];
}

/** A short name for a file in messages: relative to the working folder or to `fallbackDir` when inside one. */
export function displayPath(file: string, fallbackDir?: string): string {
  for (const root of [process.cwd(), ...(fallbackDir ? [fallbackDir] : [])]) {
    const rel = relative(root, file);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return rel;
  }
  return file;
}

/**
 * Throws ConfigError when two of `bases` (the sources of each base of `file`, in `extends` order) set overlapping
 * keys from different files and `own` (the file's own keys) does not set that key itself. The same file reached
 * through two bases is no conflict: it gives both the same value.
 */
export function checkSiblingBases(file: string, bases: readonly (readonly KeySource[])[], own: readonly KeySource[], fallbackDir?: string): void {
  for (let j = 1; j < bases.length; j++) {
    for (const later of bases[j]!) {
      for (let i = 0; i < j; i++) {
        const earlier = bases[i]!.find((s) => s.file !== later.file && overlaps(s.path, later.path));
        if (!earlier) continue;
        const key = earlier.path.length <= later.path.length ? earlier.path : later.path;
        if (own.some((o) => o.path.length <= key.length && overlaps(o.path, key))) continue;
        const name = (f: string) => displayPath(f, fallbackDir);
        throw new ConfigError(`${name(file)}: '${formatKeyPath(key)}' is set by both ${name(earlier.file)} and ${name(later.file)}: keep it in one base, or set it in ${basename(file)} itself`);
      }
    }
  }
}
