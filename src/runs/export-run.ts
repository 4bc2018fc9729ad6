// `mslk export` of a trained run: the weights of one of its checkpoints (at that checkpoint's DyConv temperature),
// through the same exporter as a model config's initial weights (src/models/export).
import {stat} from 'node:fs/promises';
import {basename} from 'node:path';
import {exportModel, type ExportFormat, type ExportResult} from '../models/export/export-model.js';
import {familyOf} from '../models/registry.js';
import {runIdOfName} from './locate-run.js';
import {openRun} from './open-run.js';
import type {CheckpointName} from './evaluation-summary.js';

/** Which run and checkpoint to export, and how. */
export interface ExportRunOptions {
  /** The run: its directory, `<parent>/<run id>`, or a bare run id found in `runs` (see locateRun). */
  run: string;
  /** Parent folder of run directories, for a bare run id (default `runs`). */
  runs?: string;
  checkpoint: CheckpointName;
  format: ExportFormat;
  /** Output file (safetensors) or directory (tfjs). */
  out: string;
  /** Fuse re-parameterisable blocks; default: the config's ld.fuseForInference for MS-LKSeg, else true. */
  fused?: boolean;
}

/** What exportRun wrote, and the provenance line stored in the file's metadata. */
export interface ExportRunResult extends ExportResult {
  description: string;
}

/**
 * Whether `source` names a run rather than a model config: an existing directory, or a path or name that is not a
 * file and ends in a run id (`runs/3f2a9c1b7d4e`, `3f2a9c1b7d4e`, `unet-synthetic-s0-3f2a9c1b7d4e`).
 */
export async function isRunReference(source: string): Promise<boolean> {
  const info = await stat(source).catch(() => undefined);
  if (info) return info.isDirectory();
  return runIdOfName(basename(source.replace(/[\\/]+$/, ''))) !== undefined;
}

/**
 * Exports the weights of a run's checkpoint. Throws RunNotFoundError (one line) when there is no such run or
 * checkpoint; errors of the exporter (unwritable output) pass through.
 */
export async function exportRun(o: ExportRunOptions): Promise<ExportRunResult> {
  const opened = await openRun(o.run, o.checkpoint, o.runs);
  try {
    const config = opened.config.model;
    const fused = o.fused ?? familyOf(config).fusesForInference(config);
    const steps = opened.unfinishedEpochSteps;
    const description = `trained: run ${basename(opened.run.path)}, ${o.checkpoint} checkpoint, epoch ${opened.epoch}${steps > 0 ? ` and ${steps} steps of epoch ${opened.epoch + 1} (interrupted)` : ''}`;
    const result = await exportModel(config, {format: o.format, out: o.out, seed: opened.config.seed, fused, trained: {model: opened.model, description}});
    return {...result, description};
  } finally {
    opened.model.dispose();
  }
}
