// Run directory names and finding a run again. The identity of a run is its 12-hex id (runId in run-dir.ts); its
// directory carries a readable prefix so that people can browse `runs/`:
//   runs/<model>-<dataset>-s<seed>-<id>      e.g. runs/ms-lkseg-kvasir-seg-352-s0-3f2a9c1b7d4e
// Directories written before readable names (runs/<id>) are still found. Every command that takes a run finds it by
// the id alone, so a renamed prefix or a bare id still works.
import {readFile, readdir, stat} from 'node:fs/promises';
import {basename, dirname, isAbsolute, join, resolve} from 'node:path';
import type {RunConfig} from './config.js';
import {RUN_FILES, RunNotFoundError} from './run-dir.js';

/** A run id: the first 12 hex digits of a SHA-256 (see runId). */
export const RUN_ID_PATTERN = /^[0-9a-f]{12}$/;

const ID_AT_END = /(?:^|-)([0-9a-f]{12})$/;
const PART_LENGTH = 40;

/** Lower-case, [a-z0-9._-] only (any other run of characters becomes one '-'), no leading or trailing '-' or '.'. */
export function sanitiseNamePart(text: string): string {
  const slug = text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').slice(0, PART_LENGTH)
    .replace(/^[-.]+|[-.]+$/g, '');
  return slug.length > 0 ? slug : 'x';
}

/**
 * The dataset's part of a run name: a registry name as it is (`kvasir-seg`), a folder by its base name
 * (`../shared/datasets/kvasir-seg-352/` -> `kvasir-seg-352`).
 */
export function datasetNamePart(datasetRef: string): string {
  return sanitiseNamePart(basename(datasetRef.replace(/[\\/]+$/, '')));
}

/**
 * The directory name of a run: `<model>-<dataset>-s<seed>-<id>`, every part sanitised to [a-z0-9._-]. Throws a
 * RangeError when `id` is not 12 hex digits (a bug: ids come from runId).
 */
export function runDirName(config: Pick<RunConfig, 'seed'> & {model: {model: string}; data: {dataset: string}}, id: string): string {
  if (!RUN_ID_PATTERN.test(id)) throw new RangeError(`run id '${id}' is not 12 hex digits`);
  return `${sanitiseNamePart(config.model.model)}-${datasetNamePart(config.data.dataset)}-s${config.seed}-${id}`;
}

/** The run id at the end of a directory name (`...-<id>` or `<id>`), or undefined. */
export function runIdOfName(name: string): string | undefined {
  return ID_AT_END.exec(name)?.[1];
}

/**
 * The directory of run `id` inside `parent`: the one named `<id>` (older runs) or `*-<id>`; undefined when there is
 * none or `parent` does not exist. Throws RunNotFoundError (one line) when several directories end in the id: its fix
 * is to remove or rename all but one (train and suites find a run by its id alone, so they cannot be told which);
 * `canPassDirectory` adds that a command taking a run directory can be given one of them.
 */
export async function findRunById(parent: string, id: string, canPassDirectory = false): Promise<string | undefined> {
  const entries = await readdir(parent, {withFileTypes: true}).catch(() => []);
  const matches = entries.filter((e) => e.isDirectory() && runIdOfName(e.name) === id).map((e) => e.name).sort();
  if (matches.length > 1) {
    throw new RunNotFoundError(`${parent}: several directories end in run id ${id} (${matches.join(', ')}, copies of one run): ${canPassDirectory ? 'pass one of them, or ' : ''}remove or rename all but one of them (a run is found by its id)`);
  }
  return matches.length === 1 ? join(parent, matches[0]!) : undefined;
}

/**
 * Resolves what a user passes to name a run, to the absolute path of its directory:
 * - a directory holding config.json, as it is;
 * - `<parent>/<id>` or `<parent>/<any name>-<id>`: the run with that id in `<parent>`;
 * - a bare id (no folder): the run with that id in `runsParent` (default `runs`, train's default --out).
 * Throws RunNotFoundError with one line naming what was looked for and the fix.
 */
export async function locateRun(ref: string, runsParent = 'runs'): Promise<string> {
  const info = await stat(ref).catch(() => undefined);
  if (info?.isDirectory() && (await stat(join(ref, RUN_FILES.config)).catch(() => undefined))?.isFile()) return resolve(ref);
  const id = runIdOfName(basename(ref.replace(/[\\/]+$/, '')));
  if (id !== undefined) {
    const bare = !isAbsolute(ref) && !/[\\/]/.test(ref.replace(/[\\/]+$/, ''));
    const parent = bare ? runsParent : dirname(ref);
    const found = await findRunById(parent, id, true);
    if (found !== undefined) return resolve(found);
    if (!info) {
      throw new RunNotFoundError(`${ref}: no run ${id} in ${parent} (looked for ${id} and *-${id}): pass the run directory \`mslk train\` printed, or --runs <the folder that holds it>`);
    }
  }
  if (!info) throw new RunNotFoundError(`${ref}: no such folder: pass the run directory \`mslk train\` printed, or its run id`);
  if (!info.isDirectory()) throw new RunNotFoundError(`${ref}: is a file, not a run directory: pass the folder \`mslk train\` printed`);
  throw new RunNotFoundError(`${ref}: not a run directory (no config.json): pass a folder that \`mslk train\` wrote, or its run id`);
}

/** The id of the run in `runDir`: manifest.json's, else the one its directory name ends with, else its name. */
export async function readRunId(runDir: string): Promise<string> {
  const manifest = await readFile(join(runDir, RUN_FILES.manifest), 'utf8')
    .then((text) => JSON.parse(text) as {runId?: unknown}, () => undefined);
  if (typeof manifest?.runId === 'string') return manifest.runId;
  return runIdOfName(basename(runDir)) ?? basename(runDir);
}
