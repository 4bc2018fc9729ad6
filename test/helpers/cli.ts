// The mslk command line as tests run it: the TypeScript sources (bin/dev.js under tsx) in the project root, as a
// user runs `npx mslk`, with MSLK_DEBUG cleared so errors are the one line users see.
import {execFile} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';

/** The project's root folder. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How a command ended: its exit code (0 on success) and everything it printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mslk <args>` and resolves with its exit code and output, whatever the code. `env` is laid over this
 * process's environment; a variable set to undefined is removed (e.g. MSLK_BACKEND, to let mslk choose).
 */
export async function runMslk(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const merged: NodeJS.ProcessEnv = {...process.env, MSLK_DEBUG: '', ...env};
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
  try {
    const {stdout, stderr} = await promisify(execFile)(process.execPath, ['--import=tsx', 'bin/dev.js', ...args], {cwd: PROJECT_ROOT, env: merged});
    return {code: 0, stdout, stderr};
  } catch (error) {
    const e = error as {code: number; stdout: string; stderr: string};
    return {code: e.code, stdout: e.stdout, stderr: e.stderr};
  }
}
