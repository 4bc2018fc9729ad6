// `mslk store verify`: every run directory of a store against its checksums.json (checkpoints included), and every
// suite manifest of the store readable and naming run directories that exist. Writes nothing.
import {readdir, readFile, stat} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import {describeProblems, verifyRunFiles, type RunFileProblem} from './checksums.js';
import {RunDir} from './run-dir.js';

/** One run directory of the store, as verified. */
export interface StoreRunCheck {
  dir: string;
  /**
   * 'verified': done, every recorded file as written; 'damaged': done, and a recorded file changed, is gone, or
   * checksums.json itself is unreadable; 'unverified': done, without checksums.json (written before mslk recorded
   * them); 'not done': pending, partial, running or failed (its files are still being written, or will be again).
   */
  state: 'verified' | 'damaged' | 'unverified' | 'not done';
  /** Files compared (0 unless done with a record). */
  checked: number;
  /** One line per problem, naming the file and the fix. */
  problems: string[];
}

/** The whole store. */
export interface StoreVerification {
  store: string;
  runs: StoreRunCheck[];
  /** Suite manifests (suites/*.json) and what is wrong with each (empty when nothing). */
  suites: {file: string; problems: string[]}[];
  /** Problems over runs and suites: non-zero makes `store verify` exit 1. */
  problems: number;
}

/** A store that is not there (or is a file): one line, exit 2. */
export class StoreNotFoundError extends Error {}

/** The one-line problem of each damaged file, with what to do about it. */
function problemLines(dir: string, problems: readonly RunFileProblem[]): string[] {
  return problems.map((p) => `${join(dir, p.file)}: ${describeProblems([{...p, file: 'the file'}]).replace(/^the file /, '')}: ` +
    (p.recomputable
      ? '`mslk ablate` on its suite evaluates the checkpoint again to rewrite it'
      : `put the original back, or delete ${dir} and run \`mslk ablate\` again to train the run anew`));
}

/**
 * Verifies every run directory directly in `store` (a folder holding config.json or status) and every suite
 * manifest in `<store>/suites`. Throws StoreNotFoundError when `store` is not a folder.
 */
export async function verifyStore(store: string): Promise<StoreVerification> {
  const root = resolve(store);
  const info = await stat(root).catch(() => undefined);
  if (info === undefined) throw new StoreNotFoundError(`no run store at ${root}: give the folder \`mslk ablate --store\` wrote (default ./runs)`);
  if (!info.isDirectory()) throw new StoreNotFoundError(`${root} is a file, not a run store: give the folder \`mslk ablate --store\` wrote (default ./runs)`);
  const runs: StoreRunCheck[] = [];
  const entries = (await readdir(root, {withFileTypes: true})).filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'suites');
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const dir = join(root, entry.name);
    const run = new RunDir(dir);
    const hasConfig = await stat(run.file('config')).then(() => true, () => false);
    const status = await run.status();
    if (!hasConfig && status === undefined) continue; // not a run directory
    if (status?.state !== 'done') {
      runs.push({dir, state: 'not done', checked: 0, problems: []});
      continue;
    }
    const v = await verifyRunFiles(dir, {checkpoints: true});
    if (v.damagedRecord !== undefined) runs.push({dir, state: 'damaged', checked: 0, problems: [v.damagedRecord]});
    else if (!v.recorded) runs.push({dir, state: 'unverified', checked: 0, problems: []});
    else runs.push({dir, state: v.problems.length > 0 ? 'damaged' : 'verified', checked: v.checked, problems: problemLines(dir, v.problems)});
  }
  const suites: StoreVerification['suites'] = [];
  const suiteFiles = (await readdir(join(root, 'suites')).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  for (const name of suiteFiles) {
    const file = join(root, 'suites', name);
    const problems: string[] = [];
    try {
      const manifest = JSON.parse(await readFile(file, 'utf8')) as {runs?: {dir?: unknown; runId?: unknown}[]};
      if (!Array.isArray(manifest.runs)) throw new Error('no runs');
      for (const r of manifest.runs) {
        // A run without data on this machine has no directory (dir ''): nothing to check.
        if (typeof r.dir !== 'string' || r.dir === '') continue;
        if (!(await stat(r.dir).then((s) => s.isDirectory(), () => false))) {
          problems.push(`${file}: run ${String(r.runId)} has no directory (${r.dir}): run \`mslk ablate\` on the suite again to prepare it`);
        }
      }
    } catch (error) {
      problems.push(`${file}: not a readable suite manifest (${(error as Error).message.split('\n')[0]}): run \`mslk ablate\` on the suite again to rewrite it`);
    }
    suites.push({file, problems});
  }
  const problems = runs.reduce((n, r) => n + r.problems.length, 0) + suites.reduce((n, s) => n + s.problems.length, 0);
  return {store: root, runs, suites, problems};
}

/** The closing line: runs by state, files compared, problems. */
export function formatStoreVerification(v: StoreVerification): string {
  const count = (state: StoreRunCheck['state']) => v.runs.filter((r) => r.state === state).length;
  const files = v.runs.filter((r) => r.state === 'verified').reduce((n, r) => n + r.checked, 0);
  const parts = [`${count('verified')} verified (${files} files, checkpoints included)`];
  if (count('damaged') > 0) parts.push(`${count('damaged')} damaged`);
  if (count('unverified') > 0) parts.push(`${count('unverified')} without checksums.json (written before mslk recorded them: not verified)`);
  if (count('not done') > 0) parts.push(`${count('not done')} not done`);
  const suites = `${v.suites.length} suite manifest${v.suites.length === 1 ? '' : 's'}`;
  const verdict = v.problems === 0 ? 'no problems' : `${v.problems} problem${v.problems === 1 ? '' : 's'}`;
  return `store ${v.store}: ${v.runs.length} run${v.runs.length === 1 ? '' : 's'}: ${parts.join(', ')}; ${suites}; ${verdict}`;
}
