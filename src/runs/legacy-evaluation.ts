// Reading the evaluation files of format 1 (run directories of mslk 0.1.0 written before evaluation-summary.ts),
// converted to the current EvaluationSummary. Format 1 had:
//   metrics.json                          {checkpoint, epoch, threshold, resolution, splits: {validation?, test?},
//                                          test?} where each split is AggregateMetrics plus `dice` and `iou`
//   per-image.csv                         the test split's rows at metrics.json's checkpoint (none for validation)
//   eval-<split>-<checkpoint>.json        `mslk eval`'s result: {runDir, split, checkpoint, epoch, images, dice,
//                                          iou, metrics: AggregateMetrics, files}
//   per-image-<split>-<checkpoint>.csv    its rows
// Nothing here writes: a format-1 directory stays as it was.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {AggregateMetrics} from '../evaluation/index.js';
import type {CheckpointName, EvaluatedSplit, EvaluationSummary} from './evaluation-summary.js';
import {readRunId} from './locate-run.js';

interface LegacySplitMetrics extends AggregateMetrics {
  dice: number | null;
  iou: number | null;
}

interface LegacyRunMetrics {
  checkpoint: CheckpointName;
  epoch: number;
  threshold: number;
  splits: Partial<Record<EvaluatedSplit, LegacySplitMetrics>>;
}

interface LegacyReevaluation {
  split: EvaluatedSplit;
  checkpoint: CheckpointName;
  epoch: number;
  metrics: AggregateMetrics;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(() => true, () => false);
}

/** The threshold of a format-1 run when only eval-*.json exists: its config's, else the default 0.5. */
async function legacyThreshold(runDir: string): Promise<number> {
  const config = await readJson(join(runDir, 'config.json')) as {eval?: {threshold?: unknown}} | undefined;
  return typeof config?.eval?.threshold === 'number' ? config.eval.threshold : 0.5;
}

function summaryOf(runId: string, split: EvaluatedSplit, checkpoint: CheckpointName, epoch: number, threshold: number,
  metrics: AggregateMetrics, perImageCsv: string | null): EvaluationSummary {
  return {
    formatVersion: 2, runId, split, checkpoint, epoch, threshold, resolution: 'original', images: metrics.images,
    dice: metrics.perImageMean.dice.mean, iou: metrics.perImageMean.iou.mean, metrics, perImageCsv,
  };
}

/**
 * The format-1 evaluation of `split` at `checkpoint` in `runDir`, converted, or undefined when there is none.
 * `runMetrics` is metrics.json's parsed content (undefined when absent). `mslk eval`'s file wins over metrics.json:
 * it was written later. Throws on unreadable files other than absent ones.
 */
export async function readLegacyEvaluation(runDir: string, split: EvaluatedSplit, checkpoint: CheckpointName,
  runMetrics: unknown): Promise<EvaluationSummary | undefined> {
  const reevaluated = await readJson(join(runDir, `eval-${split}-${checkpoint}.json`)) as LegacyReevaluation | undefined;
  if (reevaluated?.metrics !== undefined) {
    const csv = `per-image-${split}-${checkpoint}.csv`;
    return summaryOf(await readRunId(runDir), split, checkpoint, reevaluated.epoch, await legacyThreshold(runDir),
      reevaluated.metrics, (await exists(join(runDir, csv))) ? csv : null);
  }
  const legacy = runMetrics as LegacyRunMetrics | undefined;
  const splitMetrics = legacy?.checkpoint === checkpoint ? legacy.splits?.[split] : undefined;
  if (legacy === undefined || splitMetrics === undefined) return undefined;
  const {dice: _dice, iou: _iou, ...metrics} = splitMetrics;
  const csv = split === 'test' && (await exists(join(runDir, 'per-image.csv'))) ? 'per-image.csv' : null;
  return summaryOf(await readRunId(runDir), split, checkpoint, legacy.epoch, legacy.threshold, metrics, csv);
}
