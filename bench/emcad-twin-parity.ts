// Check: EMCAD computes what its PyTorch twin computes. Builds our model (b0 by default), gives its BN layers random
// statistics, writes every weight in the twin's names and layouts (emcadTwinWeight), runs the twin
// (../shared/bench/torch-twin/emcad.py, Debian's python3-torch) on the same input in inference mode, and prints the
// largest difference of each head. Last run: b0 at 64 px, all four heads within 6e-5 (logits up to 32); b1 with LGAG kernel 1, MSCB kernels
// [3, 5, 7] and expansion 3 within 2e-5.
//   node --import=tsx bench/emcad-twin-parity.ts ['{"encoder":"b0","lgagKernel":1,"mscbKernels":[3,5,7],"expansion":3}']
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../src/engine/backends.js';
import {namedWeights} from '../src/models/export/weight-names.js';
import {emcadTwinWeight, TWIN_PERMUTATION} from '../src/models/families/emcad-weights.js';
import {buildModel} from '../src/models/registry.js';
import {randomiseNormalisation, randomImage} from '../test/models/helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const twinDir = resolve(here, '..', '..', 'shared', 'bench', 'torch-twin');
const python = '/usr/bin/python3';
if (!existsSync(join(twinDir, 'emcad.py')) || !existsSync(python)) {
  console.log(`skipped: needs ${join(twinDir, 'emcad.py')} and ${python} with python3-torch`);
  process.exit(0);
}
const overrides = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const size = 64;
await activateBackend('wasm');
const {model, config} = buildModel({model: 'emcad', encoder: 'b0', ...overrides}, {seed: 5});
if (config.model !== 'emcad') throw new Error('not an emcad config');
randomiseNormalisation(model.layers, 3);
const dir = await mkdtemp(join(tmpdir(), 'mslk-emcad-parity-'));
try {
  const index: Record<string, {shape: number[]; offset: number}> = {};
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const {name, variable} of namedWeights(model)) {
    const {name: key, layout} = emcadTwinWeight(name);
    const perm = TWIN_PERMUTATION[layout];
    const values = tf.tidy(() => (perm ? tf.transpose(variable.read(), perm) : variable.read()).dataSync() as Float32Array);
    index[key] = {shape: perm ? perm.map((a) => variable.shape[a]!) : (variable.shape as number[]), offset};
    parts.push(values);
    offset += values.length;
  }
  await writeFile(join(dir, 'weights.bin'), Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  await writeFile(join(dir, 'weights.json'), JSON.stringify(index));
  const x = randomImage(2, size, 11);
  await writeFile(join(dir, 'x.bin'), Buffer.from((await x.data() as Float32Array).buffer));
  const twinArgs = {variant: config.encoder, kernels: config.mscbKernels, expansion: config.expansion, lgag_kernel: config.lgagKernel};
  execFileSync(python, [join(here, 'emcad_twin_parity.py'), twinDir, dir, JSON.stringify(twinArgs), String(size)], {stdio: 'inherit'});
  const twin = new Float32Array((await readFile(join(dir, 'twin.bin'))).buffer.slice(0));
  const ours = model.predict(x) as tf.Tensor[];
  const n = 2 * size * size;
  for (let i = 0; i < 4; i++) {
    const a = await ours[i]!.data();
    const b = twin.subarray(i * n, (i + 1) * n);
    let diff = 0;
    let scale = 0;
    for (let j = 0; j < n; j++) {
      diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
      scale = Math.max(scale, Math.abs(b[j]!));
    }
    console.log(`p${i + 1}: largest difference ${diff.toExponential(2)} (largest twin logit ${scale.toFixed(2)})`);
  }
  tf.dispose([x, ...ours]);
} finally {
  model.dispose();
  await rm(dir, {recursive: true, force: true});
}
