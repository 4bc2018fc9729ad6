// Output folders, checked before anything is written into them: a report's --out, predict's --out, export's,
// ablate's --store, a dataset's destination. Node's `mkdir(path, {recursive: true})` never returns under /proc
// (it loops on the ENOENT the kernel answers there), and a folder that exists there (/proc/self) fails later with
// a raw ENOENT: so the nearest existing ancestor is found here, checked (a folder, writable, on a file system that
// holds files) and the missing folders are created one by one below it. A failure is one line naming the path, the
// problem and the fix.
import {constants} from 'node:fs';
import {access, mkdir, stat, statfs} from 'node:fs/promises';
import {dirname, resolve} from 'node:path';

/** Thrown when a path cannot be an output folder; `message` is one line: `<path>: <problem>; <fix>`. */
export class OutputDirError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'OutputDirError';
  }
}

/**
 * Linux's virtual file systems (statfs f_type, from linux/magic.h): the kernel's views of processes, devices and
 * settings, where a file cannot be created (or must not be).
 */
const VIRTUAL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'], [0x62656572, 'sysfs'], [0x1cd1, 'devpts'], [0x27e0eb, 'cgroup'], [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'], [0x74726163, 'tracefs'], [0x73636673, 'securityfs'], [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'], [0x62656570, 'configfs'], [0xf97cff8c, 'selinuxfs'], [0xde5e81e4, 'efivarfs'],
  [0x42494e4d, 'binfmt_misc'], [0x65735543, 'fusectl'], [0x19800202, 'mqueue'], [0x6e736673, 'nsfs'],
]);

/** The name of the virtual file system `path` lies on, or undefined for one that holds files (or off Linux). */
async function virtualFileSystem(path: string): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  const info = await statfs(path).catch(() => undefined);
  return info === undefined ? undefined : VIRTUAL_FILE_SYSTEMS.get(Number(info.type));
}

type Found = {path: string; kind: 'directory' | 'file' | 'other'};

async function kindAt(path: string): Promise<Found | undefined> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    // ENOENT: nothing there; ENOTDIR: a file above it (found when the walk reaches it).
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) return undefined;
  return {path, kind: info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'other'};
}

/** `path` itself when it exists, else its nearest existing ancestor. */
async function nearestExisting(path: string): Promise<Found> {
  for (let current = resolve(path); ; current = dirname(current)) {
    const found = await kindAt(current);
    if (found !== undefined) return found;
    if (dirname(current) === current) return {path: current, kind: 'directory'};
  }
}

/**
 * Checks that `path` is, or can become, a folder to write into, without writing anything: `path` (when it exists)
 * or its nearest existing ancestor must be a folder, writable by this process, on a file system that holds files
 * (not /proc, /sys, ...). Returns the absolute path.
 * @throws OutputDirError, one line: `<path>: <ancestor> is a file / is on the proc file system / is not writable ...; <fix>`
 */
export async function checkOutputDir(path: string): Promise<string> {
  const target = resolve(path);
  const found = await nearestExisting(target);
  // The problem's subject: the path itself (`<path>: is ...`) or its ancestor (`<path>: /proc is ...`).
  const where = found.path === target ? '' : `${found.path} `;
  if (found.kind === 'file') {
    throw new OutputDirError(path, found.path === target ? 'is a file; pass a folder' : `${found.path} is a file, not a folder; pass a path inside a folder`);
  }
  if (found.kind === 'other') throw new OutputDirError(path, `${where}is neither a file nor a folder; pass a folder on a disk`);
  const virtual = await virtualFileSystem(found.path);
  if (virtual !== undefined) {
    throw new OutputDirError(path, `${where}is on the kernel's ${virtual} file system, not a disk; pass a folder on a disk`);
  }
  try {
    await access(found.path, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS') throw new OutputDirError(path, `${where}is on a read-only file system; pass a folder on a writable disk`);
    throw new OutputDirError(path, `${where}is not writable by this user; pass a folder you can write to, or change its permissions`);
  }
  return target;
}

/**
 * Makes sure the folder `path` exists, creating it and its missing parents one by one after checkOutputDir (so a
 * path under /proc fails at once instead of hanging). An existing folder costs one stat. Returns the absolute path.
 * @throws OutputDirError as checkOutputDir; what mkdir throws for other failures
 */
export async function ensureOutputDir(path: string): Promise<string> {
  const target = resolve(path);
  if ((await kindAt(target))?.kind === 'directory' && (await virtualFileSystem(target)) === undefined) return target;
  await checkOutputDir(target);
  const missing: string[] = [];
  for (let current = target; (await kindAt(current)) === undefined && dirname(current) !== current; current = dirname(current)) missing.unshift(current);
  for (const folder of missing) {
    await mkdir(folder).catch(async (error: NodeJS.ErrnoException) => {
      // Created meanwhile by another process (two workers preparing one store): fine when it is a folder.
      if (error.code === 'EEXIST' && (await kindAt(folder))?.kind === 'directory') return;
      throw error;
    });
  }
  return target;
}
