// Reading back a run's per-image CSV (written by src/evaluation/csv.ts): the scores the report pairs across runs.
import {readFile} from 'node:fs/promises';
import {parseCsv} from '../datasets/csv.js';

/** One image's scores in one evaluation. HD95 (px) is null when either mask is empty (then it is undefined). */
export interface ImageScore {
  image: string;
  dice: number;
  iou: number;
  hd95: number | null;
}

function numberCell(row: Record<string, string>, column: string, file: string): number {
  const text = row[column];
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isFinite(value)) {
    throw new Error(`${file}: image ${row['name'] ?? '?'} has no number in column '${column}': evaluate the run again with \`mslk eval\``);
  }
  return value;
}

/**
 * The rows of a per-image CSV, in file order. Throws one line naming the file when a needed cell is not a finite
 * number (a damaged file), and ENOENT when it is absent.
 */
export async function readImageScores(file: string): Promise<ImageScore[]> {
  return parseCsv(await readFile(file, 'utf8')).map((row) => ({
    image: row['name'] ?? '', dice: numberCell(row, 'dice', file), iou: numberCell(row, 'iou', file),
    hd95: row['gt_empty'] === '1' || row['pred_empty'] === '1' ? null : numberCell(row, 'hd95', file),
  }));
}
