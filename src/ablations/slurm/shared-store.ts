// A suite's tasks run on the cluster's nodes and write their run directories into the store, and `mslk ablate
// status` / `mslk report` read them back on the login node: the store must live on a file system every node mounts
// (home, project or scratch space), never on a node's own disk. mslk cannot see the nodes' mounts, so it warns for
// the places that are node-local on every cluster it knows of, and for in-memory file systems.
import {readFileSync} from 'node:fs';
import {resolve, sep} from 'node:path';

/** Folders that are node-local on common clusters (temporary and in-memory file systems). */
const NODE_LOCAL_PREFIXES = ['/tmp', '/var/tmp', '/dev/shm', '/run', '/scratch/local', '/local', '/localscratch'];
/** File-system types that live in one machine's memory. */
const MEMORY_FILE_SYSTEMS = new Set(['tmpfs', 'ramfs']);

function under(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** The mount point and type of the file system holding `path`, from /proc/mounts (undefined elsewhere). */
function mountOf(path: string, mounts: string | undefined): {point: string; type: string} | undefined {
  if (mounts === undefined) return undefined;
  let best: {point: string; type: string} | undefined;
  for (const line of mounts.split('\n')) {
    const [, point, type] = line.split(' ');
    if (point === undefined || type === undefined) continue;
    const decoded = point.replace(/\\040/g, ' ');
    if (under(path, decoded) && (best === undefined || decoded.length > best.point.length)) best = {point: decoded, type};
  }
  return best;
}

/**
 * A one-line warning when the store `store` (or, with `what` and `flag`, another folder the nodes need, such as the
 * data root) looks node-local (under /tmp, /var/tmp, /dev/shm, $TMPDIR or
 * $SLURM_TMPDIR, or on a tmpfs / ramfs), else null. `mounts` is /proc/mounts' text (read when not given).
 */
export function nodeLocalStoreWarning(store: string, env: NodeJS.ProcessEnv = process.env, mounts?: string, what = 'the store', flag = '--store'): string | null {
  const path = resolve(store);
  const prefixes = [...NODE_LOCAL_PREFIXES, ...[env['TMPDIR'], env['SLURM_TMPDIR']].filter((p): p is string => typeof p === 'string' && p !== '')];
  const prefix = prefixes.find((p) => under(path, resolve(p)));
  let text = mounts;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/mounts', 'utf8');
    } catch {
      text = undefined;
    }
  }
  const mount = mountOf(path, text);
  const why = prefix !== undefined ? `is under ${prefix}` : mount && MEMORY_FILE_SYSTEMS.has(mount.type) ? `is on a ${mount.type} (${mount.point})` : null;
  if (why === null) return null;
  const consequence = what === 'the store' ? "the tasks' runs would not be seen here or by each other" : 'the tasks would not find what was prepared here';
  return `warning: ${what} ${path} ${why}, which is usually local to each node: ${consequence}; use ${flag} on a file system every node mounts (home, project or shared scratch space)`;
}
