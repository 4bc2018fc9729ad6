#!/usr/bin/env node
// Writes a dataset's official checksum list, data/checksums/<dataset>.sha256, in the standard `sha256sum` format
// (`<hex>  <path relative to the dataset root>`, one file per line, sorted by path), the format
// src/datasets/checksums.ts reads and `sha256sum -c` checks.
//
//   node scripts/write-checksums.mjs <dataset folder> [--out data/checksums/<name>.sha256] [--include 'images/**' ...]
//       hashes every file of a pristine copy of the dataset (dot-files and SHA256SUMS left out), or only those
//       matching the --include globs;
//   node scripts/write-checksums.mjs --manifest <sha256 size path .tsv> --prefix Kvasir-SEG/ [--out ...]
//       takes the lines of a reference manifest (../shared/datasets/manifests/polyp-datasets-original-sha256.tsv)
//       whose path starts with the prefix, and strips the prefix (how the shipped lists were made).
// Without --out the list goes to standard output.
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import fg from 'fast-glob';

const USAGE = "usage: write-checksums.mjs <dataset folder> [--include glob ...] [--out file] | --manifest <file.tsv> --prefix <dir/> [--out file]";

/** sha256 of a file, hex, streamed (dataset files can be large). */
function sha256File(path) {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', fail).on('data', (chunk) => hash.update(chunk)).on('end', () => done(hash.digest('hex')));
  });
}

/** Entries `{sha256, path}` of every file under `root` matching `include` (all files when empty). */
async function fromFolder(root, include) {
  const paths = await fg(include.length > 0 ? include : ['**/*'], {cwd: root, onlyFiles: true, dot: false, ignore: ['SHA256SUMS']});
  const entries = [];
  for (const path of paths) entries.push({sha256: await sha256File(join(root, path)), path});
  return entries;
}

/** Entries of a `sha256<TAB>size<TAB>path` manifest whose path starts with `prefix`, the prefix stripped. */
async function fromManifest(file, prefix) {
  const entries = [];
  for (const line of (await readFile(file, 'utf8')).split(/\r?\n/)) {
    const [sha256, , path] = line.split('\t');
    if (path?.startsWith(prefix) && /^[0-9a-f]{64}$/.test(sha256 ?? '')) entries.push({sha256, path: path.slice(prefix.length)});
  }
  return entries;
}

const {values, positionals} = parseArgs({
  allowPositionals: true,
  options: {out: {type: 'string'}, include: {type: 'string', multiple: true}, manifest: {type: 'string'}, prefix: {type: 'string'}},
});
if ((values.manifest === undefined) === (positionals.length !== 1) || (values.manifest !== undefined && values.prefix === undefined)) {
  console.error(USAGE);
  process.exit(2);
}
const entries = values.manifest !== undefined ? await fromManifest(values.manifest, values.prefix) : await fromFolder(positionals[0], values.include ?? []);
if (entries.length === 0) {
  console.error('write-checksums: no files matched: check the folder, --include or --prefix');
  process.exit(1);
}
// sha256sum cannot write a name with a newline or backslash without escaping it; no dataset file has one.
const bad = entries.find((e) => /[\n\\]/.test(e.path));
if (bad) {
  console.error(`write-checksums: '${bad.path}' has a newline or backslash, which sha256sum would escape: rename it`);
  process.exit(1);
}
// Sorted by code point (as `LC_ALL=C sort`), so a list regenerated from the same files is byte-identical.
entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
const text = entries.map((e) => `${e.sha256}  ${e.path}\n`).join('');
if (values.out === undefined) process.stdout.write(text);
else {
  await writeFile(values.out, text);
  console.error(`write-checksums: ${entries.length} files -> ${values.out}`);
}
