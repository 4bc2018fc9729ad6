// The run directory: everything one run produced, next to what it was made from.
//   config.json  manifest.json  split.json  log.jsonl  metrics.json  per-image.csv  checkpoints/  status
// Every file is written atomically, so a run killed at any moment leaves each file whole (old or new).
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {writeFileAtomic} from '../io/atomic-write.js';
import {canonicalJson, sha256Hex} from '../io/canonical-json.js';
import {MSLK_VERSION} from '../version.js';
import type {RunConfig} from './config.js';

export const RUN_FILES = {
  config: 'config.json', manifest: 'manifest.json', split: 'split.json', log: 'log.jsonl', metrics: 'metrics.json',
  perImage: 'per-image.csv', status: 'status', checkpoints: 'checkpoints',
} as const;

export type RunStatus = {state: 'running'} | {state: 'done'} | {state: 'failed'; reason: string};

/** Run id: short hash of the canonical resolved config, the dataset fingerprint, the seed and mslk's version. */
export function runId(config: RunConfig, datasetFingerprint: string): string {
  return sha256Hex(canonicalJson({config, datasetFingerprint, seed: config.seed, mslk: MSLK_VERSION})).slice(0, 12);
}

export class RunDir {
  constructor(readonly path: string) {}

  file(name: keyof typeof RUN_FILES): string {
    return join(this.path, RUN_FILES[name]);
  }

  checkpoint(which: 'last' | 'best'): string {
    return join(this.path, RUN_FILES.checkpoints, `${which}.ckpt`);
  }

  async writeJson(name: 'config' | 'manifest' | 'split' | 'metrics', value: unknown): Promise<void> {
    await writeFileAtomic(this.file(name), JSON.stringify(value, null, 2) + '\n');
  }

  async readJson<T>(name: 'config' | 'manifest' | 'split' | 'metrics'): Promise<T> {
    return JSON.parse(await readFile(this.file(name), 'utf8')) as T;
  }

  async status(): Promise<RunStatus | undefined> {
    try {
      const text = (await readFile(this.file('status'), 'utf8')).trim();
      if (text === 'running' || text === 'done') return {state: text};
      if (text.startsWith('failed')) return {state: 'failed', reason: text.replace(/^failed:?\s*/, '')};
      return undefined;
    } catch {
      return undefined;
    }
  }

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

  async writeLog(lines: readonly string[]): Promise<void> {
    await writeFileAtomic(this.file('log'), lines.map((l) => l + '\n').join(''));
  }
}
