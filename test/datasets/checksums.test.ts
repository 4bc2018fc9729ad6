// The official checksum lists shipped in data/checksums (sha256sum format), their reader, and the script that
// writes them.
import test from 'ava';
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {PACKAGE_CHECKSUMS_DIR, packageChecksums, parseSha256Sums} from '../../src/datasets/checksums.js';
import {DATASETS} from '../../src/datasets/registry.js';
import {PROJECT_ROOT, realDataTest, SHARED_DATASETS, tempFolder} from './helpers.js';

const run = promisify(execFile);
const SCRIPT = join(PROJECT_ROOT, 'scripts', 'write-checksums.mjs');

test('the lists live in data/checksums of the package, which package.json ships', async (t) => {
  t.is(PACKAGE_CHECKSUMS_DIR, join(PROJECT_ROOT, 'data', 'checksums') + '/');
  const manifest = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {files: string[]};
  t.true(manifest.files.includes('data'));
});

test('every registry list reads in full: one image and one mask per official pair, standard sha256sum lines', async (t) => {
  const withLists = DATASETS.filter((d) => d.checksums);
  t.deepEqual(withLists.map((d) => d.name).sort(), ['cvc-clinicdb', 'cvc-colondb', 'etis-laribpolypdb', 'kvasir-seg']);
  for (const entry of withLists) {
    const list = entry.checksums!();
    t.is(list.size, 2 * entry.expectedPairs!, entry.name);
    t.is(entry.checksums!(), list, `${entry.name}: parsed once`);
    const text = await readFile(join(PACKAGE_CHECKSUMS_DIR, `${entry.name}.sha256`), 'utf8');
    const lines = text.trimEnd().split('\n');
    t.is(lines.length, list.size, entry.name);
    t.true(lines.every((line) => /^[0-9a-f]{64} {2}(images|masks)\/\S+$/.test(line)), entry.name);
  }
  t.is(DATASETS.find((d) => d.name === 'kvasir-seg')!.checksums!().get('images/cju0qkwl35piu0993l0dewei2.jpg')?.sha256,
    '71179abc4b011cc99bddb3344e3e114765b32bdf77e78892f046026d785a4bdb');
});

test('a missing list is one line naming the file and the fix', (t) => {
  const read = packageChecksums('nope.sha256', 'nowhere', join(PROJECT_ROOT, 'data', 'checksums'));
  t.throws(read, {message: /^cannot read the checksum list .*nope\.sha256 \(ENOENT\): the mslk install is incomplete, reinstall it$/});
});

test('write-checksums.mjs hashes a folder into sorted sha256sum lines that the reader parses back', async (t) => {
  const dir = await tempFolder('write-checksums');
  try {
    const files: Record<string, string> = {'masks/b.png': 'mask b', 'images/b.png': 'image b', 'images/a.png': 'image a', 'notes.txt': 'n', '.hidden': 'h', 'SHA256SUMS': 'x'};
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir.path, 'data', name, '..'), {recursive: true});
      await writeFile(join(dir.path, 'data', name), text);
    }
    const out = join(dir.path, 'tiny.sha256');
    await run(process.execPath, [SCRIPT, join(dir.path, 'data'), '--include', 'images/**', '--include', 'masks/**', '--out', out]);
    const text = await readFile(out, 'utf8');
    t.deepEqual(text.split('\n').filter(Boolean).map((l) => l.slice(66)), ['images/a.png', 'images/b.png', 'masks/b.png']);
    const parsed = parseSha256Sums(text, 'tiny');
    t.is(parsed.get('images/a.png')?.sha256, createHash('sha256').update('image a').digest('hex'));
    const {stdout} = await run(process.execPath, [SCRIPT, join(dir.path, 'data')]);
    t.deepEqual(stdout.split('\n').filter(Boolean).map((l) => l.slice(66)), ['images/a.png', 'images/b.png', 'masks/b.png', 'notes.txt']);
  } finally {
    await dir.cleanup();
  }
});

const MANIFEST = join(SHARED_DATASETS, 'manifests', 'polyp-datasets-original-sha256.tsv');
realDataTest(MANIFEST)('the shipped lists are what write-checksums.mjs makes from the reference manifest', async (t) => {
  for (const [name, prefix] of [['kvasir-seg', 'Kvasir-SEG/'], ['cvc-clinicdb', 'CVC-ClinicDB/'], ['cvc-colondb', 'CVC-ColonDB/'], ['etis-laribpolypdb', 'ETIS/']] as const) {
    const {stdout} = await run(process.execPath, [SCRIPT, '--manifest', MANIFEST, '--prefix', prefix], {maxBuffer: 1 << 24});
    t.is(stdout, await readFile(join(PACKAGE_CHECKSUMS_DIR, `${name}.sha256`), 'utf8'), name);
  }
});
