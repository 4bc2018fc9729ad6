// A whole report, from its source to its folder: collect the runs (collect.ts) -> statistics over them
// (analyses.ts: paired comparisons, ranks, rank stability) -> the prediction gallery (gallery.ts, from the runs'
// checkpoints) -> every file (write-report.ts). What `mslk report` and `mslk quickstart` call.
import {join} from 'node:path';
import {sanitiseNamePart} from '../runs/locate-run.js';
import {reportAnalyses} from './analyses.js';
import {collectReport, type CollectOptions} from './collect.js';
import {buildGallery} from './gallery.js';
import type {ReportModel} from './model.js';
import {writeReport} from './write-report.js';

/** The seed of every bootstrap in a report (fixed: the same runs give the same numbers, byte for byte). */
export const REPORT_SEED = 20251;

/** Options of makeReport. */
export interface MakeReportOptions extends CollectOptions {
  /** The report folder (created when absent; other files in it are kept); default reports/<suite or folder name>. */
  out?: string;
  /** Predict the gallery's images again from the runs' checkpoints (default true). */
  gallery?: boolean;
  /** Where datasets are cached, for the gallery's images; default MSLK_DATA_ROOT or the user cache directory. */
  dataRoot?: string;
}

/** The report written: its model (with the statistics), its folder and the files, relative to it. */
export interface MadeReport {
  model: ReportModel;
  out: string;
  files: string[];
}

/**
 * Collects `source` (a suite file or name, or a folder of runs), computes the statistics, predicts the gallery and
 * writes every file into `o.out`. Throws collectReport's one-line errors (no manifest, empty folder). A variant
 * whose checkpoint is gone is left out of the gallery (with a message through onStage).
 */
export async function makeReport(source: string, o: MakeReportOptions): Promise<MadeReport> {
  const collected = await collectReport(source, o);
  o.onStage?.('statistics: paired Wilcoxon tests and bootstrap CIs over test images, ranks');
  const model: ReportModel = {...collected, ...reportAnalyses(collected, {seed: REPORT_SEED})};
  let gallery;
  if (o.gallery !== false) {
    o.onStage?.('gallery: predicting the picked test images again from each variant\'s checkpoint');
    gallery = await buildGallery(model, {...(o.dataRoot ? {dataRoot: o.dataRoot} : {}), ...(o.onStage ? {onWarning: o.onStage} : {})});
  }
  const out = o.out ?? join('reports', sanitiseNamePart(model.title));
  const files = await writeReport(model, out, {...(gallery ? {gallery} : {}), ...(o.onStage ? {onWarning: o.onStage} : {})});
  return {model, out, files};
}
