// `mslk eval`: the metrics of a run's checkpoint on one split, computed again from the checkpoint (at each image's
// original resolution) and written by the same writer as training's (writeEvaluation): eval/<split>-<checkpoint>.json
// and .csv, replacing an earlier evaluation of that split and checkpoint. metrics.json, the index training wrote,
// is left as it was. The files' content hashes replace the recorded ones in checksums.json.
import {inferenceModel} from '../inference/inference-model.js';
import {evaluateIndices} from './evaluate-run.js';
import {recordChecksums} from './checksums.js';
import {evaluationFiles, writeEvaluation, type CheckpointName, type EvaluatedSplit, type WrittenEvaluation} from './evaluation-summary.js';
import {openRun, runData} from './open-run.js';

/** Which run, split and checkpoint `mslk eval` evaluates. */
export interface ReevaluateOptions {
  /** The run: its directory, `<parent>/<run id>`, or a bare run id found in `runs` (see locateRun). */
  dir: string;
  /** Parent folder of run directories, for a bare run id (default `runs`). */
  runs?: string;
  split: EvaluatedSplit;
  checkpoint: CheckpointName;
  dataRoot?: string;
}

/** The summary written and the absolute paths of its JSON and CSV. */
export type ReevaluateResult = WrittenEvaluation;

/**
 * Evaluates a run's checkpoint on one split of its own split.json and writes the summary. Throws RunNotFoundError
 * when the run or checkpoint cannot be found, and an Error when the split has no images.
 */
export async function reevaluateRun(o: ReevaluateOptions): Promise<ReevaluateResult> {
  const opened = await openRun(o.dir, o.checkpoint, o.runs);
  const model = inferenceModel(opened.model, opened.config);
  try {
    const {dataset, split} = await runData(opened, o.dataRoot);
    const indices = dataset.indicesOf(split.subsets[o.split]);
    if (indices.length === 0) throw new Error(`the run's split has no ${o.split} images: evaluate another split (--split)`);
    const rows = await evaluateIndices(model, dataset, indices, opened.config);
    const written = await writeEvaluation(opened.run, {
      runId: opened.runId, split: o.split, checkpoint: o.checkpoint, epoch: opened.epoch,
      threshold: opened.config.eval.threshold, rows,
    });
    // The new files replace the recorded ones (checksums.ts): a report verifies them against what was written here.
    const files = evaluationFiles(o.split, o.checkpoint);
    await recordChecksums(opened.run.path, [files.summary, files.perImageCsv]);
    return written;
  } finally {
    if (model !== opened.model) model.dispose();
    opened.model.dispose();
  }
}
