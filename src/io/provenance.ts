// Where a result came from, in one place: mslk's version, the git state of the checkout, which code ran (sources
// or a build, and whether the build matches them), the versions of the packages results depend on, Node and the
// machine. Every writer of a manifest (run directories, exported weights) takes it from here, so they all record
// the same fields under the same names.
import {execFile} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {systemInfo, type SystemInfo} from '../engine/system-info.js';
import {MSLK_VERSION, packageVersions} from '../version.js';
import {codeState, type CodeState} from './build-stamp.js';

/** The commit checked out and whether tracked files have uncommitted changes. */
export interface GitState {
  /** Full 40-hex commit id of HEAD. */
  commit: string;
  /** True when a tracked file differs from HEAD (untracked files are ignored). */
  dirty: boolean;
}

/** Everything a manifest records about the code and machine that produced a result. */
export interface Provenance {
  /** mslk's version (package.json). */
  mslk: string;
  /** Null when mslk does not run from a git checkout (an npm install) or git is missing. */
  git: GitState | null;
  /** Sources or build, and whether the build matches the sources (src/io/build-stamp.ts). */
  code: CodeState;
  /** Installed version of each tracked package, null when it is not installed (src/version.ts). */
  packages: Record<string, string | null>;
  /** process.version, e.g. 'v20.20.0'. */
  node: string;
  /** CPU, memory and GPUs (src/engine/system-info.ts). */
  system: SystemInfo;
  /** The TF.js backend the result was computed on, when the caller says (this module loads no backend). */
  backend?: string;
}

/** The mslk package root: src/io/ and dist/io/ both sit two levels below it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The git state of the checkout at `cwd` (default: the mslk package root), or null outside a git work tree or
 * without git. Never throws.
 */
export async function gitState(cwd: string = PACKAGE_ROOT): Promise<GitState | null> {
  try {
    const run = promisify(execFile);
    const {stdout: commit} = await run('git', ['rev-parse', 'HEAD'], {cwd, timeout: 5000});
    const {stdout: status} = await run('git', ['status', '--porcelain', '--untracked-files=no'], {cwd, timeout: 5000});
    return {commit: commit.trim(), dirty: status.trim().length > 0};
  } catch {
    return null;
  }
}

/**
 * The provenance of a result computed now. Pass `backend` (the active backend's name) when the result depends on
 * it. Runs git and nvidia-smi (each with a timeout); never throws.
 */
export async function provenance(options: {backend?: string} = {}): Promise<Provenance> {
  const [git, code, system] = await Promise.all([gitState(), codeState(), systemInfo()]);
  return {
    mslk: MSLK_VERSION, git, code, packages: packageVersions(), node: process.version, system,
    ...(options.backend === undefined ? {} : {backend: options.backend}),
  };
}
