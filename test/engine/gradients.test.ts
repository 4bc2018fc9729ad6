import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {variableGradsReleasing} from '../../src/engine/gradients.js';
import {SeededRandom} from '../../src/io/random.js';

test.before(() => activateBackend('wasm'));

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = SeededRandom.stream('gradients-test', seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(n), 0, 0.5), shape);
}

function randomVariable(shape: number[], seed: number, name: string): tf.Variable {
  const value = randomTensor(shape, seed);
  const v = tf.variable(value, true, name);
  value.dispose();
  return v;
}

/**
 * A loss that exercises what the backward pass must get right: a tensor used twice by one op (x + x), one
 * gradient reaching several inputs, broadcasting, a multi-output op with an unused output, a custom gradient,
 * a variable the loss ignores, and a data tensor that is not differentiated.
 */
function makeProblem(seed: number, c: number) {
  const w = randomVariable([3, 3, 2, c], seed, `w${seed}`);
  const b = randomVariable([c], seed + 1, `b${seed}`);
  const s = randomVariable([1, 1, 1, c], seed + 2, `s${seed}`);
  const unused = randomVariable([4], seed + 3, `unused${seed}`);
  const x = randomTensor([2, 6, 6, 2], seed + 4);
  const square = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([t]);
    return {value: tf.square(t), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.mul(saved!, 2))};
  });
  const loss = () => {
    const h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b));
    const doubled = tf.add(h, h);
    const [left, right] = tf.split(tf.mul(doubled, s), 2, 3);
    const mixed = tf.concat([square(left!), tf.sigmoid(right!)], 3);
    const [kept] = tf.unstack(mixed);
    return tf.add(tf.mean(kept!), tf.mul(tf.sum(tf.mul(s, s)), 0.1)) as tf.Scalar;
  };
  return {loss, vars: [w, b, s, unused], dispose: () => tf.dispose([w, b, s, unused, x])};
}

test.serial('equals tf.variableGrads bit for bit and leaves no tensor behind', (t) => {
  fc.assert(fc.property(fc.integer({min: 0, max: 1000}), fc.constantFrom(2, 4, 6), (seed, c) => {
    const problem = makeProblem(seed, c);
    const before = tf.memory().numTensors;
    const ours = variableGradsReleasing(problem.loss, problem.vars);
    const theirs = tf.variableGrads(problem.loss, problem.vars);
    const ok = Object.keys(theirs.grads).length === 3 && !('unused' + seed in ours.grads)
      && Object.keys(ours.grads).sort().join() === Object.keys(theirs.grads).sort().join()
      && ours.value.dataSync()[0] === theirs.value.dataSync()[0]
      && Object.entries(theirs.grads).every(([name, g]) => {
        const a = ours.grads[name]!.dataSync();
        const b = g.dataSync();
        return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
      });
    tf.dispose([ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads)]);
    const leaked = tf.memory().numTensors - before;
    problem.dispose();
    return ok && leaked === 0;
  }), {numRuns: 25});
  t.pass();
});

test.serial('when the backward pass reaches the first layer, the later layers\' gradients are already freed', (t) => {
  const w = randomVariable([3, 3, 8, 8], 7, 'chain-w');
  const x = randomTensor([2, 32, 32, 8], 8);
  // Records the live tensor bytes at the moment its gradient runs: the end of the backward pass.
  let liveBytes = 0;
  const probe = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => {
      liveBytes = tf.memory().numBytes;
      return tf.clone(dy);
    },
  }));
  const loss = () => {
    let h = probe(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')) as tf.Tensor4D;
    for (let i = 0; i < 12; i++) h = tf.tanh(tf.conv2d(h, w as tf.Tensor4D, 1, 'same'));
    return tf.mean(h) as tf.Scalar;
  };
  const liveAtEnd = (grads: typeof variableGradsReleasing) => {
    const {value, grads: g} = grads(loss, [w]);
    tf.dispose([value, ...Object.values(g)]);
    return liveBytes;
  };
  const mapBytes = 2 * 32 * 32 * 8 * 4;
  const ours = liveAtEnd(variableGradsReleasing);
  const theirs = liveAtEnd(tf.variableGrads);
  t.log(`live feature maps at the first layer: ${(ours / mapBytes).toFixed(1)} releasing, ${(theirs / mapBytes).toFixed(1)} tf.variableGrads`);
  t.true(ours < theirs / 4);
  tf.dispose([w, x]);
});

test.serial('inside another gradient computation it defers to TF.js (higher-order gradients still work)', (t) => {
  const v = tf.variable(tf.scalar(3), true, 'higher-order-v');
  const outer = tf.grad((a: tf.Tensor) => {
    const {value, grads} = variableGradsReleasing(() => tf.mul(tf.square(v), a) as tf.Scalar, [v]);
    value.dispose();
    return tf.mul(grads['higher-order-v']!, a);
  });
  const g = outer(tf.scalar(2)); // d/da (2 v a * a) = 4 v a = 24
  t.is(g.dataSync()[0], 24);
  tf.dispose([g, v]);
});

test.serial('a loss that does not depend on the variables is an error, and leaves nothing behind', (t) => {
  const v = tf.variable(tf.scalar(1), true, 'independent-v');
  const before = tf.memory().numTensors;
  t.throws(() => variableGradsReleasing(() => tf.scalar(2), [v]), {message: /does not depend/});
  t.is(tf.memory().numTensors, before);
  v.dispose();
});
