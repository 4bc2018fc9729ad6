// Benchmark: prepare all 1000 Kvasir-SEG pairs of ../shared/datasets/kvasir-seg-352 at 256 px into a fresh cache,
// then load them back (resolve + fingerprint + read + CRC check), then convert to float32 as training does.
// Targets (issue 3): prepare under 30 s on 2 cores, load under 2 s. Run: node --import=tsx bench/datasets-prepare.ts
import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {availableParallelism, cpus, tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {loadPreparedDataset, prepareDataset} from '../src/datasets/prepare.js';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '..', '..', 'shared', 'datasets', 'kvasir-seg-352');
if (!existsSync(source)) {
  console.log(`skipped: ${source} is absent`);
  process.exit(0);
}
const size = Number(process.env['SIZE'] ?? 256);
const dataRoot = await mkdtemp(join(tmpdir(), 'mslk-bench-datasets-'));
try {
  console.log(`Kvasir-SEG 352 -> ${size} px on ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
  let t = performance.now();
  const prepared = await prepareDataset(source, {dataRoot, size});
  const prepareSeconds = (performance.now() - t) / 1000;
  console.log(`prepare: ${prepared.count} pairs in ${prepareSeconds.toFixed(2)} s (${((prepareSeconds * 1000) / prepared.count).toFixed(1)} ms/pair; target < 30 s)`);
  t = performance.now();
  const loaded = await loadPreparedDataset(source, {dataRoot, size, prepareIfMissing: false});
  const loadSeconds = (performance.now() - t) / 1000;
  console.log(`load from cache: ${loaded.count} pairs in ${loadSeconds.toFixed(2)} s (resolve + sha256 fingerprint of 2000 files + read + CRC; target < 2 s)`);
  t = performance.now();
  const images = loaded.imagesFloat32();
  const masks = loaded.masksFloat32();
  const floatSeconds = (performance.now() - t) / 1000;
  console.log(`to float32: images ${images.length} values + masks ${masks.length} values in ${floatSeconds.toFixed(2)} s`);
  t = performance.now();
  const again = await prepareDataset(source, {dataRoot, size});
  console.log(`prepare again (cache hit: ${again.reused}): ${((performance.now() - t) / 1000).toFixed(2)} s`);
} finally {
  await rm(dataRoot, {recursive: true, force: true});
}
