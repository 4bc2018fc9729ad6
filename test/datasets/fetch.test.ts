// fetch against a server on 127.0.0.1: installs a verified dataset, and leaves nothing behind on a checksum
// mismatch, a zip-slip archive, bad data or an unreachable host.
import test from 'ava';
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {readdir, readFile} from 'node:fs/promises';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {join} from 'node:path';
import {fetchDataset} from '../../src/datasets/fetch.js';
import {THRESHOLD_128} from '../../src/datasets/mask-rules.js';
import type {DatasetEntry} from '../../src/datasets/registry.js';
import {makeZip, tempFolder, writeFolderDataset} from './helpers.js';

async function datasetZip(extra: Array<{name: string; data: Uint8Array | string}> = []): Promise<Buffer> {
  const dir = await tempFolder('zipsrc');
  try {
    await writeFolderDataset(dir.path, 4);
    const entries: Array<{name: string; data: Uint8Array | string}> = [];
    for (const sub of ['images', 'masks']) {
      for (const name of (await readdir(join(dir.path, sub))).sort()) entries.push({name: `tiny/${sub}/${name}`, data: await readFile(join(dir.path, sub, name))});
    }
    return makeZip([...entries, ...extra]);
  } finally {
    await dir.cleanup();
  }
}

async function serve(files: Record<string, Buffer>): Promise<{server: Server; base: string}> {
  const server = createServer((request, response) => {
    const body = files[request.url ?? ''];
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {'content-length': body.length}).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`};
}

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function entryFor(url: string, sha256?: string): DatasetEntry {
  return {
    name: 'tiny',
    title: 'Tiny test set',
    task: 'test',
    modality: 'test',
    expectedPairs: 4,
    download: {kind: 'direct', page: 'http://127.0.0.1/', archives: [{url, ...(sha256 ? {sha256} : {})}]},
    terms: 'none',
    citation: '',
    officialSplit: 'none',
    layouts: [{id: 'tiny', description: 'images/ + masks/', groups: [{images: 'images', masks: 'masks'}], recursive: false, pairing: {kind: 'same-stem'}, maskRule: THRESHOLD_128}],
  };
}

test('fetch downloads, checks the archive sha256, verifies every pair and installs', async (t) => {
  const zip = await datasetZip();
  const {server, base} = await serve({'/tiny.zip': zip});
  const root = await tempFolder('fetch-ok');
  try {
    const sha = createHash('sha256').update(zip).digest('hex');
    const progress: number[] = [];
    const result = await fetchDataset('tiny', {dataRoot: root.path, entry: entryFor(`${base}/tiny.zip`, sha), onProgress: (_, p) => progress.push(p.received)});
    t.is(result.status, 'installed');
    if (result.status !== 'installed') return;
    t.is(result.pairs, 4);
    t.true(result.archives[0]!.verified);
    t.is(progress.at(-1), zip.length);
    t.true(existsSync(join(root.path, 'tiny', 'tiny', 'images', 'case0.png')));
    t.deepEqual((await readdir(root.path)).sort(), ['tiny']);
    t.is((await fetchDataset('tiny', {dataRoot: root.path, entry: entryFor(`${base}/tiny.zip`, sha)})).status, 'already-present');
  } finally {
    server.close();
    await root.cleanup();
  }
});

const failures: Array<[string, (base: string) => Promise<DatasetEntry>, RegExp]> = [
  ['a checksum mismatch', async (base) => entryFor(`${base}/tiny.zip`, '0'.repeat(64)), /sha256 mismatch/],
  ['a zip-slip archive', async (base) => entryFor(`${base}/evil.zip`), /unsafe zip entry refused/],
  ['an archive with an unpaired image', async (base) => entryFor(`${base}/unpaired.zip`), /image has no mask/],
  ['a missing file on the server', async (base) => entryFor(`${base}/nothing.zip`), /HTTP 404/],
  ['an unreachable host', async () => entryFor(`http://127.0.0.1:${await closedPort()}/tiny.zip`), /cannot download: host unreachable \(ECONNREFUSED\)/],
];

for (const [label, entry, message] of failures) {
  test(`fetch fails clearly on ${label} and installs nothing`, async (t) => {
    const source = await tempFolder('png');
    await writeFolderDataset(source.path, 1);
    const png = await readFile(join(source.path, 'images', 'case0.png'));
    await source.cleanup();
    const {server, base} = await serve({
      '/tiny.zip': await datasetZip(),
      '/evil.zip': makeZip([{name: 'images/a.png', data: png}, {name: '../../escaped.png', data: png}]),
      '/unpaired.zip': await datasetZip([{name: 'tiny/images/orphan.png', data: png}]),
    });
    const root = await tempFolder('fetch-fail');
    try {
      const error = await t.throwsAsync(fetchDataset('tiny', {dataRoot: root.path, entry: await entry(base)}));
      t.regex(error!.message, message);
      t.false(error!.message.includes('\n'));
      t.deepEqual(await readdir(root.path), []);
      t.false(existsSync(join(root.path, '..', 'escaped.png')));
    } finally {
      server.close();
      await root.cleanup();
    }
  });
}

test('fetch of a dataset behind a form explains where and how, then the command that installs the download', async (t) => {
  const root = await tempFolder('fetch-manual');
  try {
    const result = await fetchDataset('drive', {dataRoot: root.path});
    t.is(result.status, 'manual');
    if (result.status !== 'manual') return;
    t.regex(result.page, /drive\.grand-challenge\.org/);
    t.regex(result.importCommand, /^mslk datasets fetch drive --from /);
    t.deepEqual(await readdir(root.path), []);
  } finally {
    await root.cleanup();
  }
});
