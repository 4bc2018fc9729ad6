// The command line that runs mslk itself, for processes that start mslk commands (a suite's local executor, a
// cluster job script): the same Node and the same code as this process, from sources (bin/dev.js under tsx) when
// this module is TypeScript, else the build (bin/run.js).
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

/** The package root (absolute): two levels above this module, in src/runs/ and in dist/runs/ alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `[node, ...node options, entry]`: append a command and its arguments, e.g. `[...mslkCommandLine(), 'run-one', dir]`.
 * Absolute paths, so it works from any working directory: tsx too, as the file URL of its loader (`--import=tsx`
 * would be looked up from the working directory, where a suite run from another folder finds no tsx).
 */
export function mslkCommandLine(): string[] {
  const fromSources = import.meta.url.endsWith('.ts');
  return fromSources
    ? [process.execPath, `--import=${import.meta.resolve('tsx')}`, '--no-warnings', join(PACKAGE_ROOT, 'bin', 'dev.js')]
    : [process.execPath, join(PACKAGE_ROOT, 'bin', 'run.js')];
}
