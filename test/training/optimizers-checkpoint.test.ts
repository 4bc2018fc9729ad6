import test from 'ava';
import {mkdtemp, rm, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {Optimizer} from '../../src/training/optimizers.js';
import {readCheckpoint, restoreCheckpoint, saveCheckpoint} from '../../src/training/checkpoint.js';
import {buildModel} from '../../src/models/registry.js';

const opt = {lr: 0.05, momentum: 0.9, beta1: 0.9, beta2: 0.999, weightDecay: 0};

/** Steps of `optimizer` on f(w) = sum((w - target)^2), returning the final weights. */
function run(step: (vars: tf.Variable[], grads: tf.Tensor[]) => void, steps: number): number[] {
  const w = tf.variable(tf.tensor1d([1, -2, 3]));
  const target = tf.tensor1d([0.5, 0.5, 0.5]);
  for (let i = 0; i < steps; i++) {
    const {grads} = tf.variableGrads(() => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, [w]);
    step([w], [grads[w.name]!]);
    tf.dispose(Object.values(grads));
  }
  const out = Array.from(w.dataSync());
  tf.dispose([w, target]);
  return out;
}

function close(a: number[], b: number[], tol = 1e-5): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) < tol);
}

test.serial('SGD with momentum and Adam follow the same rules as TF.js built-ins', async (t) => {
  await activateBackend('cpu');
  const ours = new Optimizer({...opt, name: 'sgd'});
  const sgd = run((v, g) => ours.apply(v, g, opt.lr), 5);
  const tfMomentum = tf.train.momentum(opt.lr, opt.momentum);
  // TF.js's momentum: accum = m * accum + g; w -= lr * accum (PyTorch's rule, dampening 0).
  const ref = run((v, g) => tfMomentum.applyGradients([{name: v[0]!.name, tensor: g[0]!}]), 5);
  t.true(close(sgd, ref), `${sgd} vs ${ref}`);
  const adam = new Optimizer({...opt, name: 'adam'});
  const ours2 = run((v, g) => adam.apply(v, g, opt.lr), 5);
  const tfAdam = tf.train.adam(opt.lr, opt.beta1, opt.beta2, 1e-8);
  const ref2 = run((v, g) => tfAdam.applyGradients([{name: v[0]!.name, tensor: g[0]!}]), 5);
  t.true(close(ours2, ref2), `${ours2} vs ${ref2}`);
  ours.dispose(); adam.dispose(); tfMomentum.dispose(); tfAdam.dispose();
});

test.serial('AdamW decays weights apart from the gradient; weight decay 0 makes it Adam', async (t) => {
  await activateBackend('cpu');
  const a = new Optimizer({...opt, name: 'adamw', weightDecay: 0});
  const b = new Optimizer({...opt, name: 'adam'});
  t.true(close(run((v, g) => a.apply(v, g, opt.lr), 3), run((v, g) => b.apply(v, g, opt.lr), 3)));
  const w = new Optimizer({...opt, name: 'adamw', weightDecay: 0.5});
  const decayed = run((v, g) => w.apply(v, g, opt.lr), 3);
  t.false(close(decayed, run((v, g) => b.apply(v, g, opt.lr), 3)));
  [a, b, w].forEach((o) => o.dispose());
});

test.serial('a checkpoint restores weights, BN statistics and optimiser state exactly', async (t) => {
  await activateBackend('wasm');
  const dir = await mkdtemp(join(tmpdir(), 'mslk-ckpt-'));
  try {
    const {model} = buildModel({model: 'unet', baseWidth: 4}, {seed: 1});
    const optimizer = new Optimizer({...opt, name: 'adam'});
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 1);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const trainStep = (): void => {
      const {grads, value} = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, {training: true}) as tf.Tensor)) as tf.Scalar, vars);
      optimizer.apply(vars, vars.map((v) => grads[v.name]!), 0.01);
      tf.dispose([value, ...Object.values(grads)]);
    };
    trainStep();
    const file = join(dir, 'last.ckpt');
    await saveCheckpoint(file, model, optimizer, {epoch: 1, step: 1, bestScore: 0.5, bestEpoch: 1});
    trainStep();
    const expected = model.weights.map((w) => Array.from(w.read().dataSync()));

    const {model: copy} = buildModel({model: 'unet', baseWidth: 4}, {seed: 99});
    const restoredOptimizer = new Optimizer({...opt, name: 'adam'});
    const checkpoint = await readCheckpoint(file);
    t.deepEqual({epoch: checkpoint.header.epoch, best: checkpoint.header.bestScore}, {epoch: 1, best: 0.5});
    restoreCheckpoint(checkpoint, copy, restoredOptimizer);
    const copyVars = copy.trainableWeights.map((w) => w.read() as tf.Variable);
    const {grads, value} = tf.variableGrads(() => tf.mean(tf.square(copy.apply(x, {training: true}) as tf.Tensor)) as tf.Scalar, copyVars);
    restoredOptimizer.apply(copyVars, copyVars.map((v) => grads[v.name]!), 0.01);
    tf.dispose([value, ...Object.values(grads)]);
    t.deepEqual(copy.weights.map((w) => Array.from(w.read().dataSync())), expected);

    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 10));
    await t.throwsAsync(readCheckpoint(file), {message: /last\.ckpt: damaged checkpoint \(truncated or corrupt.*delete the run folder/});
    [model, copy].forEach((m) => m.dispose());
    optimizer.dispose();
    restoredOptimizer.dispose();
    x.dispose();
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test('a checkpoint cut inside its header, or made from another config, names the file and the fix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-ckpt-'));
  try {
    const {model} = buildModel({model: 'unet', baseWidth: 4}, {seed: 1});
    const file = join(dir, 'last.ckpt');
    const optimizer = new Optimizer({...opt, name: 'adam'});
    await saveCheckpoint(file, model, optimizer, {epoch: 1, step: 1, bestScore: null, bestEpoch: null});
    optimizer.dispose();
    const whole = await readFile(file);

    // A wider model from an edited config.json: the shapes differ, the count does not.
    const {model: wider} = buildModel({model: 'unet', baseWidth: 8}, {seed: 1});
    const checkpoint = await readCheckpoint(file);
    const error = t.throws(() => restoreCheckpoint(checkpoint, wider));
    t.regex(error?.message ?? '', /last\.ckpt: the checkpoint does not fit the run's config\.json \(weight .*: shape .* in the checkpoint, .* in the model it describes\): config\.json was edited after training\?/);

    await writeFile(file, whole.subarray(0, 40));
    const cut = await t.throwsAsync(readCheckpoint(file));
    t.regex(cut?.message ?? '', /last\.ckpt: damaged checkpoint \(its header does not parse: .*\): put back a whole copy, or delete the run folder/);
    t.false(cut?.message.includes('\n'));

    // With a whole best.ckpt next to it, the fix says the run can still be evaluated from it.
    await writeFile(join(dir, 'best.ckpt'), whole);
    await t.throwsAsync(readCheckpoint(file), {message: /best\.ckpt \(--checkpoint best\)/});
    [model, wider].forEach((m) => m.dispose());
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
