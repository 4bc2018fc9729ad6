import test from 'ava';
import {pairFiles, type FoundFile} from '../../src/datasets/pairing.js';

const files = (paths: string[], sub = ''): FoundFile[] => paths.map((path) => ({path, sub}));

test('same-stem pairs by sub-folder and stem, and reports the unpaired on both sides', (t) => {
  const result = pairFiles({kind: 'same-stem'}, files(['images/train/0.jpg', 'images/train/1.jpg']).map((f) => ({...f, sub: 'train'})), [
    {path: 'masks/train/0.jpg', sub: 'train'},
    {path: 'masks/test/0.jpg', sub: 'test'},
  ]);
  t.deepEqual(result.pairs, [{id: 'train/0', image: 'images/train/0.jpg', masks: ['masks/train/0.jpg']}]);
  t.deepEqual(result.problems, [
    {file: 'masks/test/0.jpg', problem: 'mask has no matching image'},
    {file: 'images/train/1.jpg', problem: 'image has no mask'},
  ]);
});

test('numbered suffix unites _mask, _mask_1, ... (BUSI) and keeps names with spaces and brackets', (t) => {
  const result = pairFiles({kind: 'suffix', suffix: '_mask', numbered: true}, files(['images/benign (1).png', 'images/benign (10).png']), files([
    'masks/benign (10)_mask_1.png',
    'masks/benign (10)_mask.png',
    'masks/benign (1)_mask.png',
  ]));
  t.deepEqual(result.problems, []);
  t.deepEqual(result.pairs.map((p) => [p.id, p.masks]), [
    ['benign (1)', ['masks/benign (1)_mask.png']],
    ['benign (10)', ['masks/benign (10)_mask.png', 'masks/benign (10)_mask_1.png']],
  ]);
});

test('leading id pairs DRIVE names (21_training with 21_manual1)', (t) => {
  const result = pairFiles({kind: 'leading-id'}, files(['training/images/21_training.tif', 'training/images/22_training.tif']), files(['training/1st_manual/21_manual1.gif', 'training/1st_manual/22_manual1.gif']));
  t.deepEqual(result.problems, []);
  t.deepEqual(result.pairs.map((p) => p.id), ['21', '22']);
});

test('any-suffix takes the longest image stem the mask starts with', (t) => {
  const result = pairFiles({kind: 'any-suffix'}, files(['img/a.png', 'img/a_b.png']), files(['gt/a_b_label.png', 'gt/a_seg.png']));
  t.deepEqual(result.problems, []);
  t.deepEqual(result.pairs.map((p) => [p.id, p.masks]), [['a', ['gt/a_seg.png']], ['a_b', ['gt/a_b_label.png']]]);
});

test('two images with one id are reported, not silently merged', (t) => {
  const result = pairFiles({kind: 'same-stem'}, files(['images/x.png', 'images/x.jpg']), files(['masks/x.png']));
  t.is(result.pairs.length, 1);
  t.is(result.problems.length, 1);
  t.regex(result.problems[0]!.problem, /two images have the id "x"/);
});
