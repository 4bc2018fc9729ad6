// The suite file (configs/suites/*.yaml): one study, variants x datasets x folds x seeds plus baselines under the
// same protocol. Strict: every key is described here (`.describe()`), an unknown one is an error naming the nearest.
import {z} from 'zod';
import {executorSchema} from './slurm/resources.js';

/** Dotted key paths to values (`ld.largeKernel: 13`), applied to a config in the order written. */
const assignments = z.record(z.string().min(1), z.unknown());

/** Axes of a grid or zip: a dotted model key -> the values it takes (at least one). */
const axes = z.record(z.string().min(1), z.array(z.unknown()).min(1, {message: 'lists no values: give at least one value for this axis'}));

export const suiteSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {message: 'must be letters, digits, ".", "_" or "-" (it names <store>/suites/<name>.json)'})
    .describe('name of the study; its manifest is <store>/suites/<name>.json'),
  description: z.string().optional().describe('one line on what the study asks (shown in reports)'),
  extends: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe("base run config file(s) for data, train and eval (relative to the suite file, else mslk's configs/); a model in them is ignored"),
  model: z.string().min(1).optional().describe("base model config of the variants: a model config file (relative to the suite file, else configs/) or a model name; alone (no variants, grid or zip) it is one variant, 'full'"),
  datasets: z.array(z.string().min(1)).min(1, {message: 'lists no datasets: name at least one (`mslk datasets list`) or a folder'})
    .describe('registry or imported dataset names, or folders (relative to the suite file)'),
  seeds: z.array(z.number().int().min(0)).min(1, {message: 'lists no seeds: give at least one, e.g. [0, 1, 2]'}).default([0])
    .describe('run seeds (weights, batch order, augmentation); every variant runs once per seed'),
  variants: z.record(z.string().min(1), assignments).default({})
    .describe('named variants: dotted model keys overriding the base model (`{}` = the base model itself)'),
  grid: axes.optional().describe('cartesian product of model keys; each point is a variant named `k1=v1,k2=v2`'),
  zip: axes.optional().describe('model keys varied together (lists of equal length); position i is a variant named `k1=v1,k2=v2`'),
  baselines: z.array(z.union([
    z.string().min(1),
    z.record(z.string().min(1), z.string().min(1)).refine((m) => Object.keys(m).length === 1, {message: 'a named baseline is one `name: file` pair, e.g. {U-Net: ../models/unet.yaml}'}),
  ])).default([])
    .describe('whole models under the same protocol: names of configs/models/<name>.yaml, model config files (named after the file), or `{name: file}`'),
  reference: z.string().min(1).optional().describe('the variant paired comparisons in reports are made against (default: the first variant)'),
  set: assignments.default({}).describe('dotted data/train/eval keys applied to every run (after extends)'),
  overrides: z.record(z.string().min(1), assignments).default({})
    .describe('per dataset (as named in datasets): dotted data/train/eval keys applied after set'),
  folds: z.number().int().min(2).optional().describe("k-fold cross-validation: one run per fold (fold in the run's split); unset = the dataset's official split"),
  evaluate: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({})
    .describe('extra test sets per training dataset (cross-dataset protocol): every image of each is also evaluated, never trained on'),
  executor: executorSchema.optional().describe('settings per executor: `slurm:` resources of each run under `mslk ablate --executor slurm`'),
}).strict();

/** A suite file as parsed (defaults filled, paths as written). */
export type SuiteFile = z.output<typeof suiteSchema>;
