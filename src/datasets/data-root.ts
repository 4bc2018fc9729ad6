// Where datasets live: --data-root, else MSLK_DATA_ROOT, else <user cache>/mslk/datasets. The flag is checked when
// it is parsed (src/cli/flags.ts dataRootFlag); the variable is checked here the same way, so a data root that is a
// file fails with one line naming MSLK_DATA_ROOT in every command that reads it, not as "(75.6 GiB free)" in
// doctor or an ENOTDIR deep inside a cache write.
import {statSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname, join, resolve} from 'node:path';

/** MSLK_DATA_ROOT names a path that cannot be a data root. Bad input: exits with the usage code 2. */
export class DataRootError extends Error {
  override readonly name = 'DataRootError';
  /** The usage exit code (src/cli/base-command.ts USAGE_EXIT_CODE), read by the base command. */
  readonly exitCode = 2;
}

export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'mslk', 'datasets');
}

/** What is on disk at `path`: a folder, a file, something else, or nothing (undefined). */
function kindOf(path: string): 'directory' | 'file' | 'other' | undefined {
  try {
    const info = statSync(path);
    return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

/**
 * Checks that MSLK_DATA_ROOT's value is, or can become, a folder, with the cases of the `--data-root` flag
 * (expectPathKind in src/cli/flags.ts): an existing path must be a folder, and the nearest existing ancestor of a
 * missing one must be a folder too.
 * @throws DataRootError with one line naming the variable, its value, the problem and the fix
 */
export function checkDataRootVariable(value: string): void {
  const fix = 'set MSLK_DATA_ROOT to a folder (it is created when missing), or unset it to use the default';
  const found = kindOf(value);
  if (found === 'directory') return;
  if (found === 'file') throw new DataRootError(`MSLK_DATA_ROOT=${value}: is a file, not a folder; ${fix}`);
  if (found === 'other') throw new DataRootError(`MSLK_DATA_ROOT=${value}: is neither a file nor a folder; ${fix}`);
  for (let parent = dirname(resolve(value)); ; parent = dirname(parent)) {
    const parentKind = kindOf(parent);
    if (parentKind === 'directory') return;
    if (parentKind !== undefined) throw new DataRootError(`MSLK_DATA_ROOT=${value}: ${parent} is a file, not a folder; ${fix}`);
    if (dirname(parent) === parent) return;
  }
}

/**
 * The absolute data root: `flag` (already checked when parsed), else MSLK_DATA_ROOT (checked here; an empty value
 * counts as unset, not as the current folder), else defaultDataRoot.
 * @throws DataRootError when MSLK_DATA_ROOT is used and names a file, or a path below a file
 */
export function resolveDataRoot(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) return resolve(flag);
  const variable = env['MSLK_DATA_ROOT'];
  if (variable) {
    checkDataRootVariable(variable);
    return resolve(variable);
  }
  return resolve(defaultDataRoot(env));
}
