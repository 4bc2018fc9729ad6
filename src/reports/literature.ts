// Published numbers (configs/literature/*.yaml): what other papers report, each with its citation and protocol,
// shown in the report in their own labelled block and never mixed into its statistics (their protocols differ
// from ours: split, input size, epochs, how Dice is averaged).
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import {z} from 'zod';
import {PACKAGE_CONFIGS, readYamlMapping} from '../config/files.js';
import {ConfigError, parseWithSchema} from '../config/parse.js';
import type {LiteratureRow} from './model.js';

const fraction = z.number().min(0).max(1);

/** One published result: a model on a dataset, as fractions (0.7821, not 78.21). */
const literatureRowSchema = z.object({
  model: z.string().min(1).describe('Model name as the source gives it'),
  dataset: z.string().min(1).describe("mslk's registry name of the dataset (kvasir-seg, busi, ...)"),
  dice: fraction.nullable().default(null).describe('Published Dice (or F1) as a fraction; null when not published'),
  iou: fraction.nullable().default(null).describe('Published IoU as a fraction; null when not published'),
  citation: z.string().min(1).describe('Where the number is published (authors, venue, year, or a repository and file)'),
  protocol: z.string().min(1).describe('How it was obtained: split, input size, how Dice is averaged'),
}).strict().refine((row) => row.dice !== null || row.iou !== null, {message: 'give dice or iou (or both)'});

/** A literature file: `rows:` of published results. */
export const literatureFileSchema = z.object({
  rows: z.array(literatureRowSchema).min(1).describe('Published results'),
}).strict();

/** The folder of the shipped literature files. */
export const LITERATURE_DIR = join(PACKAGE_CONFIGS, 'literature');

/** Reads one literature file. Throws ConfigError (one line naming the file and the key) when it does not parse. */
export async function readLiteratureFile(file: string): Promise<LiteratureRow[]> {
  const raw = await readYamlMapping(file);
  try {
    return parseWithSchema(literatureFileSchema, raw).rows;
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${file}: ${error.message}: fix the entry (see configs/literature/ms-lkseg.yaml)`);
    throw error;
  }
}

/**
 * Every row of every `*.yaml` in `dir` (default: the shipped configs/literature), files in name order, rows in file
 * order. An absent folder gives no rows; a bad file throws ConfigError (one line).
 */
export async function readLiterature(dir: string = LITERATURE_DIR): Promise<LiteratureRow[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.yaml')).sort();
  const rows: LiteratureRow[] = [];
  for (const name of names) rows.push(...await readLiteratureFile(join(dir, name)));
  return rows;
}

/**
 * The rows about the report's datasets: a row matches a dataset named as the registry names it (`kvasir-seg`) or a
 * folder derived from it (`kvasir-seg-352`), case-insensitively.
 */
export function literatureFor(rows: readonly LiteratureRow[], datasets: readonly string[]): LiteratureRow[] {
  const names = datasets.map((d) => d.toLowerCase());
  return rows.filter((row) => {
    const own = row.dataset.toLowerCase();
    return names.some((d) => d === own || d.startsWith(`${own}-`));
  });
}
