// The flags several commands share, defined once: the data root, the backend (one, or several for benchmarks),
// the checkpoint of a run, and output paths that must be a file or a folder. Each is typed (the parsed value is
// the union of its options, no casts in the commands) and paths are checked for their kind when parsed, so a
// folder where a file belongs fails with one line naming the flag instead of a raw EISDIR/ENOTDIR later.
import {stat} from 'node:fs/promises';
import {dirname, resolve} from 'node:path';
import {Flags} from '@oclif/core';
import {BACKEND_NAMES} from '../engine/backends.js';
import {checkOutputDir, OutputDirError} from '../io/output-dir.js';

/**
 * A flag or argument value that cannot be used, with the one line to print. oclif rewrites the message of an
 * error thrown while parsing a flag ("Parsing --x ... See more help"); `line` keeps the original, and the base
 * command prints it.
 */
export class BadPathError extends Error {
  constructor(readonly line: string) {
    super(line);
    this.name = 'BadPathError';
  }
}

/** What a path flag expects to find (or create) at its path. */
export type PathKind = 'file' | 'directory';

/** The path's kind on disk, or undefined when nothing is there. */
async function kindOf(path: string): Promise<PathKind | 'other' | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'other';
}

/**
 * Checks that `path` is, or can become, a `kind`: an existing path must be of that kind, and the nearest existing
 * ancestor of a missing one must be a folder. Returns `path` unchanged.
 * @param label how the error names the value, e.g. '--out' or 'argument config'
 * @throws BadPathError with one line naming `label`, the path, the problem and the fix
 */
export async function expectPathKind(label: string, path: string, kind: PathKind): Promise<string> {
  const found = await kindOf(path);
  if (found === kind) return path;
  if (found === 'directory') throw new BadPathError(`${label} ${path}: is a directory; pass a file path`);
  if (found === 'file') throw new BadPathError(`${label} ${path}: is a file; pass a folder`);
  if (found === 'other') throw new BadPathError(`${label} ${path}: is neither a file nor a folder; pass another path`);
  for (let parent = dirname(resolve(path)); ; parent = dirname(parent)) {
    const parentKind = await kindOf(parent);
    if (parentKind === 'directory') return path;
    if (parentKind !== undefined) throw new BadPathError(`${label} ${path}: ${parent} is a file, not a folder; pass a path inside a folder`);
    if (dirname(parent) === parent) return path;
  }
}

/** `--data-root`: the folder holding datasets (default: MSLK_DATA_ROOT, else the user cache directory). */
export const dataRootFlag = Flags.custom<string>({
  description: 'Data root (default: MSLK_DATA_ROOT or the user cache directory)',
  parse: async (input, _context, flag) => expectPathKind(`--${flag.name}`, input, 'directory'),
});

/** `--backend` of commands that compute on one backend: 'auto' (the default order) or one of BACKEND_NAMES. */
export const backendFlag = Flags.option({
  description: 'TF.js backend (default: MSLK_BACKEND or auto)',
  options: ['auto', ...BACKEND_NAMES] as const,
});

/** `--backend` of commands that compare backends: repeatable, each one of BACKEND_NAMES. */
export const backendsFlag = Flags.option({
  description: 'Only this backend (repeatable; default: every backend)',
  options: BACKEND_NAMES,
  multiple: true,
});

/** `--checkpoint` of a run: its last or its best (validation mDice) checkpoint. */
export const checkpointFlag = Flags.option({
  description: 'Checkpoint of the run',
  options: ['last', 'best'] as const,
  default: 'last',
});

/**
 * Checks that `path` can be an output folder (see checkOutputDir: it or its nearest existing ancestor is a writable
 * folder on a file system that holds files). Returns `path` unchanged.
 * @throws BadPathError with one line naming `label`, the path, the problem and the fix
 */
export async function expectOutputDir(label: string, path: string): Promise<string> {
  await expectPathKind(label, path, 'directory');
  try {
    await checkOutputDir(path);
  } catch (error) {
    if (error instanceof OutputDirError) throw new BadPathError(`${label} ${error.message}`);
    throw error;
  }
  return path;
}

/**
 * An output folder (created when missing): fails at parse time when the path is a file, lies under a file, or cannot
 * be written (a read-only or virtual file system such as /proc, where Node's recursive mkdir would hang).
 */
export const outDirFlag = Flags.custom<string>({
  parse: async (input, _context, flag) => expectOutputDir(`--${flag.name}`, input),
});

/**
 * Checks that `path` can be an output file: not a folder, and its folder can be an output folder (checkOutputDir).
 * Returns `path` unchanged.
 * @throws BadPathError with one line naming `label`, the path, the problem and the fix
 */
export async function expectOutputFile(label: string, path: string): Promise<string> {
  await expectPathKind(label, path, 'file');
  try {
    await checkOutputDir(dirname(resolve(path)));
  } catch (error) {
    if (error instanceof OutputDirError) throw new BadPathError(`${label} ${path}: ${error.message}`);
    throw error;
  }
  return path;
}

/** An output file: fails at parse time when the path is a folder, lies under a file, or its folder cannot be written. */
export const outFileFlag = Flags.custom<string>({
  parse: async (input, _context, flag) => expectOutputFile(`--${flag.name}`, input),
});

/** An input file (e.g. a split file): fails at parse time when the path is a folder. A missing file is left to the reader. */
export const inFileFlag = Flags.custom<string>({
  parse: async (input, _context, flag) => expectPathKind(`--${flag.name}`, input, 'file'),
});

/** An input folder (e.g. a store a report reads): fails at parse time when the path is a file. Never written to. */
export const inDirFlag = Flags.custom<string>({
  parse: async (input, _context, flag) => expectPathKind(`--${flag.name}`, input, 'directory'),
});
