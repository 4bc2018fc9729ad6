import test from 'ava';
import {maskMetrics, perImageCsv, perImageCsvHeader} from '../../src/evaluation/index.js';
import {drawMask} from './helpers.js';

test('one row per image: name, every metric, counts, then gt_empty and pred_empty as 1/0', (t) => {
  const truth = drawMask('##', '..');
  const empty = drawMask('..', '..');
  const csv = perImageCsv([
    {name: 'a.png', metrics: maskMetrics(truth.data, truth.data, truth)},
    {name: 'name, with "quotes"', metrics: maskMetrics(empty.data, truth.data, truth)},
  ]);
  const diagonal = String(Math.sqrt(8));
  t.is(
    csv,
    'name,dice,iou,precision,recall,specificity,accuracy,hd95,hd95_pooled_medpy,tp,fp,fn,tn,gt_empty,pred_empty\n' +
      'a.png,1,1,1,1,1,1,0,0,2,0,0,2,0,0\n' +
      `"name, with ""quotes""",0,0,0,0,1,0.5,${diagonal},${diagonal},0,0,2,2,0,1\n`,
  );
});

test('the threshold-averaged column appears when the rows carry it', (t) => {
  t.true(perImageCsvHeader(true).includes('threshold_averaged_dice'));
  const truth = drawMask('#.');
  const metrics = {...maskMetrics(truth.data, truth.data, truth), thresholdAveragedDice: 0.25};
  t.is(perImageCsv([{name: 'x', metrics}]).split('\n')[1], 'x,1,1,1,1,1,1,0,0,0.25,1,0,0,1,0,0');
  t.throws(() => perImageCsv([{name: 'x', metrics}, {name: 'y', metrics: maskMetrics(truth.data, truth.data, truth)}]), {
    message: /image y has no threshold-averaged Dice/,
  });
});
