// Which code is running: the TypeScript sources (bin/dev.js, tests) or the build in dist/ (bin/run.js, `npx
// mslk`). A build is stamped with a digest of the sources it was compiled from, so a run's manifest can say
// whether the build it ran matched the checkout: after editing src/ without `npm run build`, `npx mslk` runs
// the old code while git reports the new commit.
import fg from 'fast-glob';
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {sha256Hex} from './canonical-json.js';

export const STAMP_FILE = 'build-stamp.json';

export interface CodeState {
  /** 'src' when the TypeScript sources run directly, 'dist' for the compiled build. */
  runningFrom: 'src' | 'dist';
  /** For a build: whether it was compiled from the sources now in src/ (null when there is no stamp or no src/). */
  buildMatchesSources: boolean | null;
}

/** sha256 over the relative path and content of every src/**\/*.ts file, in path order. */
export async function sourceDigest(packageRoot: string): Promise<string | null> {
  const files = (await fg('src/**/*.ts', {cwd: packageRoot})).sort();
  if (files.length === 0) return null;
  const parts = await Promise.all(files.map(async (f) => `${f}\n${sha256Hex(await readFile(join(packageRoot, f), 'utf8'))}`));
  return sha256Hex(parts.join('\n'));
}

/** Written by `npm run build` (scripts/stamp-build.mjs) into dist/. */
export async function writeBuildStamp(packageRoot: string): Promise<void> {
  await writeFile(join(packageRoot, 'dist', STAMP_FILE), `${JSON.stringify({sourceDigest: await sourceDigest(packageRoot)})}\n`);
}

export async function codeState(moduleUrl: string = import.meta.url): Promise<CodeState> {
  const path = fileURLToPath(moduleUrl);
  const runningFrom = /[\\/]dist[\\/]/.test(path) ? 'dist' : 'src';
  if (runningFrom === 'src') return {runningFrom, buildMatchesSources: null};
  const root = fileURLToPath(new URL('../..', moduleUrl));
  try {
    const stamp = JSON.parse(await readFile(join(root, 'dist', STAMP_FILE), 'utf8')) as {sourceDigest?: string | null};
    const current = await sourceDigest(root);
    return {runningFrom, buildMatchesSources: current === null || !stamp.sourceDigest ? null : current === stamp.sourceDigest};
  } catch {
    return {runningFrom, buildMatchesSources: null};
  }
}
