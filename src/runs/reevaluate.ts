// `mslk eval`: the metrics of a run's checkpoint on one split, computed again from the checkpoint (at each image's
// original resolution). Written beside the run's own files as eval-<split>-<checkpoint>.json and
// per-image-<split>-<checkpoint>.csv; metrics.json, the run's headline, is left as it was.
import {join} from 'node:path';
import {writeFileAtomic} from '../io/atomic-write.js';
import {aggregateMetrics, perImageCsv, type AggregateMetrics} from '../evaluation/index.js';
import {evaluateIndices, inferenceModel} from './evaluate-run.js';
import {openRun, runData} from './open-run.js';

export interface ReevaluateOptions {
  dir: string;
  split: 'test' | 'validation';
  checkpoint: 'last' | 'best';
  dataRoot?: string;
}

export interface ReevaluateResult {
  runDir: string;
  split: 'test' | 'validation';
  checkpoint: 'last' | 'best';
  epoch: number;
  images: number;
  dice: number | null;
  iou: number | null;
  metrics: AggregateMetrics;
  files: {metrics: string; perImage: string};
}

export async function reevaluateRun(o: ReevaluateOptions): Promise<ReevaluateResult> {
  const opened = await openRun(o.dir, o.checkpoint);
  const model = inferenceModel(opened.model, opened.config);
  try {
    const {dataset, split} = await runData(opened, o.dataRoot);
    const indices = dataset.indicesOf(split.subsets[o.split]);
    if (indices.length === 0) throw new Error(`the run's split has no ${o.split} images`);
    const rows = await evaluateIndices(model, dataset, indices, opened.config);
    const metrics = aggregateMetrics(rows.map((r) => r.metrics));
    const files = {
      metrics: join(opened.run.path, `eval-${o.split}-${o.checkpoint}.json`),
      perImage: join(opened.run.path, `per-image-${o.split}-${o.checkpoint}.csv`),
    };
    const result: ReevaluateResult = {
      runDir: opened.run.path, split: o.split, checkpoint: o.checkpoint, epoch: opened.epoch, images: rows.length,
      dice: metrics.perImageMean.dice.mean, iou: metrics.perImageMean.iou.mean, metrics, files,
    };
    await writeFileAtomic(files.metrics, JSON.stringify(result, null, 2) + '\n');
    await writeFileAtomic(files.perImage, perImageCsv(rows));
    return result;
  } finally {
    if (model !== opened.model) model.dispose();
    opened.model.dispose();
  }
}
