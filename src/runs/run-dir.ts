// The run directory: everything one run produced, next to what it was made from.
//   config.json  manifest.json  split.json  log.jsonl  metrics.json  eval/  checkpoints/  status
// (metrics.json indexes the evaluation summaries in eval/, see evaluation-summary.ts; the directory's name is
// readable, see locate-run.ts). Every file is written atomically, so a run killed at any moment leaves each file
// whole (old or new).
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {writeFileAtomic} from '../io/atomic-write.js';
import {canonicalJson, sha256Hex} from '../io/canonical-json.js';
import {MSLK_VERSION} from '../version.js';
import type {RunConfig} from './config.js';

/** The files and folders of a run directory, by role. */
export const RUN_FILES = {
  config: 'config.json', manifest: 'manifest.json', split: 'split.json', log: 'log.jsonl', metrics: 'metrics.json',
  evaluations: 'eval', status: 'status', checkpoints: 'checkpoints',
} as const;

/** A run that cannot be found or opened (no such directory, no config.json, no checkpoint yet); one-line message. */
export class RunNotFoundError extends Error {}

/** A file of a run directory that is there but cannot be read back (not valid JSON); one-line message naming it. */
export class DamagedRunFileError extends Error {}

/**
 * The content of a run's `status` file: `running`, `done`, `partial` (stopped cleanly by SIGINT/SIGTERM, its `last`
 * checkpoint written after the step it stopped at, inside the epoch; resumable like a `running` run whose owner
 * died, which resumes from its last finished epoch), or `failed: <reason>`.
 */
export type RunStatus = {state: 'running'} | {state: 'partial'} | {state: 'done'} | {state: 'failed'; reason: string};

/**
 * Run id: the first 12 hex digits of the SHA-256 of the canonical JSON of the resolved config, the dataset
 * fingerprint (train-run.ts passes `<dataset fingerprint>:<split hash>`), the seed and mslk's version. The names the
 * data was given (`data.dataset`: a registry name, an imported name or a path; and `data.splitFile`, whose content
 * is in the split hash) are left out: the fingerprint and split identify the data, so one dataset under three
 * names is one run. It is the run's identity (test/runs/run-id.test.ts pins one), and the run directory's name
 * ends with it.
 */
export function runId(config: RunConfig, datasetFingerprint: string): string {
  const nameFree = {...config, data: {...config.data, dataset: null, splitFile: null}};
  return sha256Hex(canonicalJson({config: nameFree, datasetFingerprint, seed: config.seed, mslk: MSLK_VERSION})).slice(0, 12);
}

/** A run directory at `path` (absolute or relative to the working directory): paths of its files, atomic writes. */
export class RunDir {
  constructor(readonly path: string) {}

  /** The path of one of the run's files (see RUN_FILES). */
  file(name: keyof typeof RUN_FILES): string {
    return join(this.path, RUN_FILES[name]);
  }

  /** The path of the `last` or `best` checkpoint file. */
  checkpoint(which: 'last' | 'best'): string {
    return join(this.path, RUN_FILES.checkpoints, `${which}.ckpt`);
  }

  /** Writes a JSON file of the run atomically (2-space indentation, final newline). */
  async writeJson(name: 'config' | 'manifest' | 'split' | 'metrics', value: unknown): Promise<void> {
    await writeFileAtomic(this.file(name), JSON.stringify(value, null, 2) + '\n');
  }

  /**
   * Parses a JSON file of the run; the caller vouches for its type. Throws ENOENT when it is absent, and
   * DamagedRunFileError (one line naming the file and the fix) when it is not valid JSON.
   */
  async readJson<T>(name: 'config' | 'manifest' | 'split' | 'metrics'): Promise<T> {
    const file = this.file(name);
    const text = await readFile(file, 'utf8');
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new DamagedRunFileError(`${file}: not valid JSON (${(error as Error).message}; cut short or edited by hand): put the original back, or delete ${this.path} and train the run again`);
    }
  }

  /** The run's status, or undefined when the file is absent or unreadable (a run never started). */
  async status(): Promise<RunStatus | undefined> {
    try {
      const text = (await readFile(this.file('status'), 'utf8')).trim();
      if (text === 'running' || text === 'partial' || text === 'done') return {state: text};
      if (text.startsWith('failed')) return {state: 'failed', reason: text.replace(/^failed:?\s*/, '')};
      return undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes the status file atomically. */
  async setStatus(status: RunStatus): Promise<void> {
    await writeFileAtomic(this.file('status'), status.state === 'failed' ? `failed: ${status.reason}\n` : `${status.state}\n`);
  }

  /** The log's lines, keeping only epochs up to `epochs` (a resumed run drops what it will redo). */
  async logLines(epochs = Infinity): Promise<string[]> {
    try {
      const lines = (await readFile(this.file('log'), 'utf8')).split('\n').filter(Boolean);
      return lines.filter((l) => (JSON.parse(l) as {epoch: number}).epoch <= epochs);
    } catch {
      return [];
    }
  }

  /** Replaces log.jsonl with these lines (one JSON object per epoch), atomically. */
  async writeLog(lines: readonly string[]): Promise<void> {
    await writeFileAtomic(this.file('log'), lines.map((l) => l + '\n').join(''));
  }
}
