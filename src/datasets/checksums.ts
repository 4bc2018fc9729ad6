// Known sha256 checksums of dataset files: the official lists shipped with the package (data/checksums/*.sha256),
// and a `SHA256SUMS` file when a dataset folder carries one. Both are in the standard `sha256sum` format, so
// `sha256sum -c` checks a copy without mslk. Keys are paths relative to the layout root.
import {readFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {exists} from './collect.js';

export interface KnownChecksum {
  sha256: string;
  /** Where the checksum comes from, for messages ("the official release", "SHA256SUMS"). */
  source: string;
}

export type ChecksumList = ReadonlyMap<string, KnownChecksum>;

/** Parses sha256sum output (`<hash>  ./path` or `<hash> *path`). */
export function parseSha256Sums(text: string, source: string): Map<string, KnownChecksum> {
  const out = new Map<string, KnownChecksum>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (match) out.set(match[2]!.replace(/^\.\//, ''), {sha256: match[1]!.toLowerCase(), source});
  }
  return out;
}

/**
 * data/checksums/ of the installed package: the official lists, one `<dataset>.sha256` per dataset, written by
 * scripts/write-checksums.mjs. src/datasets and dist/datasets both sit two levels below the package root.
 */
export const PACKAGE_CHECKSUMS_DIR = fileURLToPath(new URL('../../data/checksums/', import.meta.url));

/**
 * The official list `<PACKAGE_CHECKSUMS_DIR>/<file>`, read and parsed on first use, then memoised (the lists are
 * large and most commands never need them). `source` names the list in messages ("the official Kvasir-SEG
 * release"). The returned function throws an Error naming the file when the package lacks it (a broken install).
 */
export function packageChecksums(file: string, source: string, dir = PACKAGE_CHECKSUMS_DIR): () => ChecksumList {
  let parsed: ChecksumList | undefined;
  return () => {
    if (parsed) return parsed;
    const path = join(dir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the checksum list ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): the mslk install is incomplete, reinstall it`);
    }
    return (parsed = parseSha256Sums(text, source));
  };
}

export const SHA256SUMS_FILE = 'SHA256SUMS';

/** The checksums a dataset folder carries itself, if any. */
export async function readFolderChecksums(root: string): Promise<ChecksumList | undefined> {
  const file = join(root, SHA256SUMS_FILE);
  if (!(await exists(file))) return undefined;
  return parseSha256Sums(await readFile(file, 'utf8'), SHA256SUMS_FILE);
}
