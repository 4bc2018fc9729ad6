// Lists the files of a folder without trusting it: a symlink loop, an unreadable entry or a file that is not an
// image is a problem naming the file, not a crash and not a silent skip.
import {readdir, realpath, stat} from 'node:fs/promises';
import {extname, join, posix, relative, sep} from 'node:path';
import type {Problem} from './errors.js';
import {firstLine} from './errors.js';

/** Files every OS or tool leaves behind; never data. */
const JUNK = new Set(['thumbs.db', 'desktop.ini', '.ds_store']);

export function isJunk(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX' || JUNK.has(name.toLowerCase());
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export interface WalkedFile {
  /** Path relative to the dataset root, `/` separators. */
  path: string;
  /** Folder below the walked folder ('' at its top), `/` separators. */
  sub: string;
  /** Lower-case extension with the dot. */
  ext: string;
}

export interface WalkResult {
  files: WalkedFile[];
  problems: Problem[];
}

/** Walks `folder` (relative to `root`), following symlinks but refusing loops. */
export async function walkFolder(root: string, folder: string, recursive: boolean): Promise<WalkResult> {
  const files: WalkedFile[] = [];
  const problems: Problem[] = [];
  const start = join(root, folder);
  const visit = async (dir: string, sub: string, ancestors: ReadonlySet<string>): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      problems.push({file: toPosix(relative(root, dir)) || '.', problem: `cannot read folder: ${firstLine(error)}`});
      return;
    }
    names.sort();
    for (const name of names) {
      if (isJunk(name)) continue;
      const full = join(dir, name);
      const rel = toPosix(relative(root, full));
      let info;
      try {
        info = await stat(full);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        problems.push({
          file: rel,
          problem: code === 'ELOOP' ? 'symlink loop' : code === 'ENOENT' ? 'broken symlink' : `cannot read: ${firstLine(error)}`,
        });
        continue;
      }
      if (info.isDirectory()) {
        if (!recursive) continue;
        const real = await realpath(full);
        if (ancestors.has(real)) {
          problems.push({file: rel, problem: 'symlink loop (links to a folder that contains it)'});
          continue;
        }
        await visit(full, sub ? posix.join(sub, name) : name, new Set([...ancestors, real]));
      } else if (info.isFile()) {
        files.push({path: rel, sub, ext: extname(name).toLowerCase()});
      }
    }
  };
  await visit(start, '', new Set([await realpath(start)]));
  return {files, problems};
}
