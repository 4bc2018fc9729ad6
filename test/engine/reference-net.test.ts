import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../src/engine/backends.js';
import {buildReferenceNet, referenceBatch} from '../../src/engine/reference-net.js';

async function gradientsOn(backend: 'wasm' | 'cpu'): Promise<Float32Array[]> {
  await activateBackend(backend);
  const net = buildReferenceNet(1);
  const {x, y} = referenceBatch(2, 24, 1);
  const {grads} = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, net.forward(x)) as tf.Scalar, net.params);
  const out = net.params.map((p) => grads[p.name]!.dataSync() as Float32Array);
  tf.dispose([x, y, ...Object.values(grads)]);
  net.dispose();
  return out;
}

test.serial('the reference net has the same gradients on wasm as on cpu (whole network, 21x21 depthwise included)', async (t) => {
  const wasm = await gradientsOn('wasm');
  const cpu = await gradientsOn('cpu');
  wasm.forEach((g, k) => {
    const ref = cpu[k]!;
    const scale = Math.max(...Array.from(ref, Math.abs));
    const err = Math.max(...Array.from(g, (v, i) => Math.abs(v - ref[i]!))) / scale;
    t.true(err < 1e-4, `parameter ${k}: relative error ${err}`);
  });
});
