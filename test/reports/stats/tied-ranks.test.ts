import test from 'ava';
import fc from 'fast-check';
import {tiedRanks} from '../../../src/reports/stats/tied-ranks.js';

test('mid-ranks and tie groups', (t) => {
  t.deepEqual(tiedRanks([10, 20, 20, 30]), {ranks: [1, 2.5, 2.5, 4], tieGroups: [2]});
  t.deepEqual(tiedRanks([3, 1, 3, 3, 2]), {ranks: [4, 1, 4, 4, 2], tieGroups: [3]});
  t.deepEqual(tiedRanks([-Infinity, Infinity, 0]), {ranks: [1, 3, 2], tieGroups: []});
  t.deepEqual(tiedRanks([]), {ranks: [], tieGroups: []});
  t.throws(() => tiedRanks([1, Number.NaN]), {message: /NaN/});
});

test('property: ranks sum to n (n + 1) / 2 and follow the order of the values', (t) => {
  fc.assert(fc.property(fc.array(fc.integer({min: -5, max: 5}), {maxLength: 40}), (values) => {
    const {ranks, tieGroups} = tiedRanks(values);
    const n = values.length;
    const ordered = values.every((v, i) => values.every((w, j) => (v < w ? ranks[i]! < ranks[j]! : v === w ? ranks[i] === ranks[j] : true)));
    return Math.abs(ranks.reduce((a, b) => a + b, 0) - (n * (n + 1)) / 2) < 1e-9 && ordered &&
      tieGroups.reduce((a, b) => a + b, 0) === n - new Set(values).size + tieGroups.length;
  }));
  t.pass();
});
