import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../src/engine/backends.js';
import {buildReferenceNet, referenceBatch, trainStep} from '../../src/engine/reference-net.js';

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

test.serial('a training step on wasm leaks no tensors and training lowers the loss', async (t) => {
  await activateBackend('wasm');
  const net = buildReferenceNet(0);
  const {x, y} = referenceBatch(2, 32, 0);
  const optimizer = tf.train.adam(1e-2);
  trainStep(net, optimizer, x, y); // creates the optimizer's slots
  const before = tf.memory().numTensors;
  const losses = Array.from({length: 15}, () => trainStep(net, optimizer, x, y));
  t.is(tf.memory().numTensors, before);
  t.true(losses.at(-1)! < losses[0]! * 0.8, `loss ${losses[0]} -> ${losses.at(-1)}`);
  optimizer.dispose();
  net.dispose();
  tf.dispose([x, y]);
});
