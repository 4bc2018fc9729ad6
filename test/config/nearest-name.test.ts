import test from 'ava';
import fc from 'fast-check';
import {editDistance, nearestName} from '../../src/config/nearest-name.js';

test('a misspelt key gets its nearest valid name; an unrelated one gets none', (t) => {
  t.is(nearestName('largeKernal', ['largeKernel', 'smallKernel', 'levels']), 'largeKernel');
  t.is(nearestName('heds', ['heads', 'window', 'pool']), 'heads');
  t.is(nearestName('epoch', ['epochs', 'batchSize']), 'epochs');
  t.is(nearestName('attentionOrder', ['model', 'baseWidth', 'inChannels']), undefined);
});

test('a suggestion is never further than the cut-off, and an exact name suggests itself', (t) => {
  fc.assert(fc.property(fc.string({minLength: 1, maxLength: 12}), fc.array(fc.string({maxLength: 12}), {minLength: 1, maxLength: 6}), (name, candidates) => {
    const s = nearestName(name, candidates);
    if (candidates.includes(name) && s !== undefined && editDistance(name, s) !== 0) return false;
    return s === undefined || editDistance(name, s) <= Math.max(2, Math.floor(name.length / 3));
  }));
  t.pass();
});
