// `import`: registers any folder of image/mask pairs under a name. The layout is detected (or taken from the
// given globs and suffix), every problem found while pairing refuses the import with a line naming the file, and
// the record is written atomically, so a failed import leaves nothing registered.
import {resolve} from 'node:path';
import {DatasetError} from './errors.js';
import {validateDatasetName, writeImportRecord} from './imported.js';
import {findDatasetEntry} from './registry.js';
import {resolveDataset} from './resolve.js';

export interface ImportOptions {
  dataRoot: string;
  name: string;
  imagesGlob?: string;
  masksGlob?: string;
  maskSuffix?: string;
}

export interface ImportResult {
  name: string;
  root: string;
  pairs: number;
  layout: string;
  detectedBy: string;
  recordFile: string;
  classes?: Record<string, number>;
  splits?: Record<string, number>;
}

function counts(values: ReadonlyArray<string | undefined>): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const v of values) if (v !== undefined) out[v] = (out[v] ?? 0) + 1;
  return Object.keys(out).length ? out : undefined;
}

export async function importDataset(dir: string, options: ImportOptions): Promise<ImportResult> {
  validateDatasetName(options.name);
  if (findDatasetEntry(options.name)) throw new DatasetError(options.name, 'is a registry dataset name: choose another name (or place the data under the data root as that name)');
  const dataset = await resolveDataset(resolve(dir), {
    dataRoot: options.dataRoot,
    ...(options.imagesGlob ? {imagesGlob: options.imagesGlob} : {}),
    ...(options.masksGlob ? {masksGlob: options.masksGlob} : {}),
    ...(options.maskSuffix ? {maskSuffix: options.maskSuffix} : {}),
  });
  const first = dataset.problems[0];
  if (first) {
    const more = dataset.problems.length - 1;
    throw new DatasetError(first.file, `${first.problem}${more ? ` (and ${more} more: run \`mslk datasets verify ${dir}\`)` : ''}; nothing imported`);
  }
  if (dataset.pairs.length === 0) throw new DatasetError(dir, 'no image/mask pairs found; nothing imported');
  const recordFile = await writeImportRecord(options.dataRoot, {
    name: options.name,
    root: dataset.root,
    layout: dataset.layout,
    ...(dataset.entry ? {registryName: dataset.entry.name} : {}),
    detectedBy: dataset.detectedBy,
    importedAt: new Date().toISOString(),
  });
  const classes = counts(dataset.pairs.map((p) => p.className));
  const splits = counts(dataset.pairs.map((p) => p.split));
  return {
    name: options.name,
    root: dataset.root,
    pairs: dataset.pairs.length,
    layout: dataset.layout.id,
    detectedBy: dataset.detectedBy,
    recordFile,
    ...(classes ? {classes} : {}),
    ...(splits ? {splits} : {}),
  };
}
