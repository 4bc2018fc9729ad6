// Known sha256 checksums of dataset files: the official lists shipped with the registry, and a `SHA256SUMS` file
// (sha256sum format) when a dataset folder carries one. Keys are paths relative to the layout root.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {exists} from './collect.js';

export interface KnownChecksum {
  sha256: string;
  /** Size in bytes, when the list gives it. */
  size?: number;
  /** Where the checksum comes from, for messages ("the official release", "SHA256SUMS"). */
  source: string;
}

export type ChecksumList = ReadonlyMap<string, KnownChecksum>;

/** Parses `sha256 size path` lines (the registry's compact lists). */
export function parseChecksumTable(text: string, source: string): Map<string, KnownChecksum> {
  const out = new Map<string, KnownChecksum>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) (\d+) (.+)$/.exec(line.trim());
    if (match) out.set(match[3]!, {sha256: match[1]!, size: Number(match[2]), source});
  }
  return out;
}

/** Parses sha256sum output (`<hash>  ./path` or `<hash> *path`). */
export function parseSha256Sums(text: string, source: string): Map<string, KnownChecksum> {
  const out = new Map<string, KnownChecksum>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (match) out.set(match[2]!.replace(/^\.\//, ''), {sha256: match[1]!.toLowerCase(), source});
  }
  return out;
}

/** Memoises a list so the large tables are parsed once, and only when used. */
export function lazyChecksums(text: () => string, source: string): () => ChecksumList {
  let parsed: ChecksumList | undefined;
  return () => (parsed ??= parseChecksumTable(text(), source));
}

export const SHA256SUMS_FILE = 'SHA256SUMS';

/** The checksums a dataset folder carries itself, if any. */
export async function readFolderChecksums(root: string): Promise<ChecksumList | undefined> {
  const file = join(root, SHA256SUMS_FILE);
  if (!(await exists(file))) return undefined;
  return parseSha256Sums(await readFile(file, 'utf8'), SHA256SUMS_FILE);
}
