import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {learningRateAt} from '../../src/training/schedules.js';
import {bceWithLogits, segmentationLoss, softDiceLoss} from '../../src/training/losses.js';

const base = {power: 0.9, warmupEpochs: 0, minLr: 0};

test('schedules: cosine and poly start at the base rate and end at minLr; warm-up ramps linearly', (t) => {
  t.is(learningRateAt({...base, name: 'cosine'}, 0.1, 0, 100, 10), 0.1);
  t.true(Math.abs(learningRateAt({...base, name: 'cosine'}, 0.1, 50, 100, 10) - 0.05) < 1e-12);
  t.is(learningRateAt({...base, name: 'cosine'}, 0.1, 100, 100, 10), 0);
  t.true(Math.abs(learningRateAt({...base, name: 'poly'}, 0.1, 50, 100, 10) - 0.1 * 0.5 ** 0.9) < 1e-12);
  t.is(learningRateAt({...base, name: 'constant'}, 0.1, 77, 100, 10), 0.1);
  t.true(Math.abs(learningRateAt({...base, name: 'cosine', warmupEpochs: 1}, 0.1, 4, 100, 10) - 0.05) < 1e-12);
  fc.assert(fc.property(fc.constantFrom('cosine', 'poly', 'constant') as fc.Arbitrary<'cosine' | 'poly' | 'constant'>,
    fc.nat(999), fc.double({min: 0, max: 0.01, noNaN: true}), (name, step, minLr) => {
      const lr = learningRateAt({...base, name, minLr}, 0.1, step, 1000, 10);
      return lr >= minLr - 1e-15 && lr <= 0.1 + 1e-15;
    }));
});

test.serial('losses: BCE equals the stable formula and TF.js sigmoid cross-entropy; Dice on a hand case', async (t) => {
  await activateBackend('cpu');
  const logits = tf.tensor4d([2, -1, 0, 3], [1, 2, 2, 1]);
  const labels = tf.tensor4d([1, 0, 1, 0], [1, 2, 2, 1]);
  const bce = bceWithLogits(labels, logits).dataSync()[0]!;
  const ref = tf.losses.sigmoidCrossEntropy(labels, logits).dataSync()[0]!;
  t.true(Math.abs(bce - ref) < 1e-6);
  // p = sigmoid([2,-1,0,3]) = [.8808, .2689, .5, .9526]; 2*sum(p*y) + 1 = 2*(.8808 + .5) + 1 = 3.7616;
  // sum p + sum y + 1 = 2.6023 + 2 + 1 = 5.6023; dice loss = 1 - 3.7616 / 5.6023 = 0.32856
  t.true(Math.abs(softDiceLoss(labels, logits, 1).dataSync()[0]! - 0.32856) < 1e-4);
  const combined = segmentationLoss({name: 'bce-dice', bceWeight: 0.5, diceWeight: 1, smooth: 1}, labels, logits).dataSync()[0]!;
  t.true(Math.abs(combined - (0.5 * ref + 0.32856)) < 1e-4);
  tf.dispose([logits, labels]);
});
