// The content hashes of a run's files: checksums.json holds the SHA-256 of every file a run's numbers come from
// (config, split, manifest, log, metrics index, evaluation summaries and per-image CSVs, checkpoints), recorded by
// the process that wrote them, under the run's lock: when training finishes (before `done` is written), and again
// for the files an evaluation writes into a done run (`mslk eval`, extra test sets, a repair). `ablate`, `ablate
// status`, `report` and `mslk store verify` compare the files with it, as DVC's cache and nnU-Net's `--c` check
// do, so that a file cut short, edited by hand or damaged on disk is named instead of turned into a number.
//
// A recorded file is either recomputable (the evaluation files and metrics.json: `ablate` evaluates the checkpoint
// again and rewrites them) or not (config, split, manifest, log, checkpoints: the run counts as failed, with the
// reason, until the original is put back or the run is trained again). Runs written before checksums existed have
// no checksums.json: they are read as before, and `store verify` says they are unverified.
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {readdir, readFile} from 'node:fs/promises';
import {join, relative, sep} from 'node:path';
import {writeFileAtomic} from '../io/atomic-write.js';

/** The checksums file in a run directory. */
export const CHECKSUMS_FILE = 'checksums.json';

/** checksums.json: file path relative to the run directory (with `/`) -> SHA-256, hex. */
export interface ChecksumsFile {
  formatVersion: 1;
  algorithm: 'sha256';
  files: Record<string, string>;
}

/** What is wrong with one recorded file: its content changed, or it is gone. */
export interface RunFileProblem {
  /** Relative to the run directory, with `/` (e.g. `eval/test-last.csv`). */
  file: string;
  problem: 'changed' | 'missing';
  /** True for files `ablate` recomputes from the checkpoint (evaluations and metrics.json). */
  recomputable: boolean;
}

/** The result of comparing a run's files with its checksums.json. */
export interface RunVerification {
  /** False when the run has no checksums.json (written before mslk recorded them): nothing could be compared. */
  recorded: boolean;
  /** Files compared. */
  checked: number;
  problems: RunFileProblem[];
  /** Set when checksums.json itself is unreadable (not JSON, unknown format): one line naming it. */
  damagedRecord?: string;
}

/** A run directory's file is recomputable from its checkpoint: the evaluation files and their index. */
export function isRecomputable(file: string): boolean {
  return file === 'metrics.json' || file.startsWith('eval/');
}

/** A checkpoint file (hashed only when a caller asks: they are the large ones). */
function isCheckpoint(file: string): boolean {
  return file.startsWith('checkpoints/');
}

/** SHA-256 of a file, hex, streamed (checkpoints reach hundreds of MB). Throws the read error (ENOENT...). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// One update of a run's checksums.json at a time within this process (evaluations of several test sets may finish
// together); across processes the run's lock, held by every writer, does the same.
const pending = new Map<string, Promise<unknown>>();

function serialized<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const previous = pending.get(dir) ?? Promise.resolve();
  const next = previous.then(work, work);
  pending.set(dir, next.catch(() => undefined));
  return next;
}

/** The run's checksums.json, undefined when it has none. Throws one line when it is there but unreadable. */
export async function readChecksums(dir: string): Promise<ChecksumsFile | undefined> {
  const path = join(dir, CHECKSUMS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<ChecksumsFile>;
  try {
    parsed = JSON.parse(text) as Partial<ChecksumsFile>;
  } catch {
    throw new Error(`${path}: not valid JSON (cut short or edited): the run's files cannot be verified; delete ${dir} and train the run again, or delete ${path} to take its files as they are`);
  }
  const files = parsed.files;
  if (parsed.formatVersion !== 1 || parsed.algorithm !== 'sha256' || files === null || typeof files !== 'object' ||
    !Object.values(files).every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
    throw new Error(`${path}: not a checksums file of this mslk (format ${String(parsed.formatVersion)}): delete ${dir} and train the run again, or delete ${path} to take its files as they are`);
  }
  return parsed as ChecksumsFile;
}

/**
 * Records the SHA-256 of `files` (relative to the run directory `dir`, with `/`) in its checksums.json, hashing
 * them as they are now, beside the entries already there; a listed file that does not exist loses its entry.
 * Written atomically. Call it right after writing the files, holding the run's lock. Throws the file system's
 * errors, and readChecksums' one line for an unreadable checksums.json.
 */
export async function recordChecksums(dir: string, files: readonly string[]): Promise<void> {
  await serialized(dir, async () => {
    const record = (await readChecksums(dir)) ?? {formatVersion: 1, algorithm: 'sha256', files: {}};
    const next: Record<string, string> = {...record.files};
    for (const file of files) {
      try {
        next[file] = await fileSha256(join(dir, file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        delete next[file];
      }
    }
    const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writeFileAtomic(join(dir, CHECKSUMS_FILE), JSON.stringify({formatVersion: 1, algorithm: 'sha256', files: sorted} satisfies ChecksumsFile, null, 2) + '\n');
  });
}

/** The files of a finished run whose content its numbers come from, relative with `/` (temp files excluded). */
export async function runNumberFiles(dir: string): Promise<string[]> {
  const files = ['config.json', 'split.json', 'manifest.json', 'log.jsonl', 'metrics.json'];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, {withFileTypes: true}).catch(() => [])) {
      // Dot files are the temp files of atomic writes.
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) await walk(join(folder, entry.name));
      else if (entry.isFile()) files.push(relative(dir, join(folder, entry.name)).split(sep).join('/'));
    }
  };
  await walk(join(dir, 'eval'));
  await walk(join(dir, 'checkpoints'));
  return files.sort();
}

/**
 * Compares the run's files with its checksums.json (writes nothing). Checkpoints are hashed only with
 * `checkpoints: true` (`store verify`, and before they are evaluated again); the numbers a report or a status shows
 * come from the other files. Never throws for a damaged file: it is a problem in the result.
 */
export async function verifyRunFiles(dir: string, o: {checkpoints: boolean}): Promise<RunVerification> {
  let record: ChecksumsFile | undefined;
  try {
    record = await readChecksums(dir);
  } catch (error) {
    return {recorded: true, checked: 0, problems: [], damagedRecord: (error as Error).message};
  }
  if (record === undefined) return {recorded: false, checked: 0, problems: []};
  const problems: RunFileProblem[] = [];
  let checked = 0;
  for (const [file, expected] of Object.entries(record.files)) {
    if (!o.checkpoints && isCheckpoint(file)) continue;
    checked++;
    let actual: string | undefined;
    try {
      actual = await fileSha256(join(dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    }
    if (actual !== expected) problems.push({file, problem: actual === undefined ? 'missing' : 'changed', recomputable: isRecomputable(file)});
  }
  return {recorded: true, checked, problems};
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** What happened to `problems` (`config.json changed since it was written`, `... is missing`), without a fix. */
export function describeProblems(problems: readonly RunFileProblem[]): string {
  const changed = problems.filter((p) => p.problem === 'changed').map((p) => p.file);
  const missing = problems.filter((p) => p.problem === 'missing').map((p) => p.file);
  const parts: string[] = [];
  if (changed.length > 0) parts.push(`${listed(changed)} changed since ${changed.length === 1 ? 'it was' : 'they were'} written (sha256 differs from checksums.json)`);
  if (missing.length > 0) parts.push(`${listed(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`);
  return parts.join('; ');
}

/**
 * The one-line reason a run whose files failed verification cannot be used, with the fix; undefined when nothing
 * is wrong, or when everything wrong is recomputable (see repairLine).
 */
export function unrecoverableReason(dir: string, v: RunVerification): string | undefined {
  if (v.damagedRecord !== undefined) return v.damagedRecord;
  const lost = v.problems.filter((p) => !p.recomputable);
  if (lost.length === 0) return undefined;
  return `${describeProblems(lost)} in ${dir}: put the original ${lost.length === 1 ? 'file' : 'files'} back, or delete ${dir} and run \`mslk ablate\` again to train the run anew`;
}

/** The one line saying which recomputable files `ablate` evaluates again; undefined when there are none. */
export function repairLine(dir: string, v: RunVerification): string | undefined {
  const recomputable = v.problems.filter((p) => p.recomputable);
  if (recomputable.length === 0) return undefined;
  return `${describeProblems(recomputable)} in ${dir}: \`mslk ablate\` evaluates the checkpoint again to rewrite ${recomputable.length === 1 ? 'it' : 'them'}`;
}
