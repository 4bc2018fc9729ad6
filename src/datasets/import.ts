// `import`: registers any folder of image/mask pairs under a name. The layout is detected (or taken from the
// given globs and suffix), every pair is decoded once (verify's checks), any problem refuses the import with a
// line naming the first file and how many there are, and the record is written atomically, so a failed import
// leaves nothing registered. A name already imported is only repointed with `force`.
import {resolve} from 'node:path';
import {DatasetError} from './errors.js';
import {readImportRecord, validateDatasetName, writeImportRecord} from './imported.js';
import {findDatasetEntry} from './registry.js';
import {resolveDataset} from './resolve.js';
import {verifyResolved} from './verify.js';

export interface ImportOptions {
  dataRoot: string;
  name: string;
  imagesGlob?: string;
  masksGlob?: string;
  maskSuffix?: string;
  /** Repoint a name that is already imported. */
  force?: boolean;
}

export interface ImportResult {
  name: string;
  root: string;
  pairs: number;
  layout: string;
  detectedBy: string;
  recordFile: string;
  /** The folder the name pointed to before (`force`). */
  replaced?: string;
  classes?: Record<string, number>;
  splits?: Record<string, number>;
}

function counts(values: ReadonlyArray<string | undefined>): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const v of values) if (v !== undefined) out[v] = (out[v] ?? 0) + 1;
  return Object.keys(out).length ? out : undefined;
}

/**
 * Registers `dir` under `options.name` after checking every pair. Throws a DatasetError (nothing registered) for
 * a registry name (install those with `mslk datasets fetch <name> --from <folder>`), a name already imported
 * (unless `force`), a folder without pairs, and any pairing or content problem (the first named, with the count).
 */
export async function importDataset(dir: string, options: ImportOptions): Promise<ImportResult> {
  validateDatasetName(options.name);
  if (findDatasetEntry(options.name)) {
    throw new DatasetError(options.name, `is a registry dataset name: to install a downloaded copy into the data root run \`mslk datasets fetch ${options.name} --from ${dir}\`, or import it under another name`);
  }
  const previous = await readImportRecord(options.dataRoot, options.name);
  if (previous && !options.force) {
    throw new DatasetError(options.name, `is already imported (from ${previous.root}): pass --force to point it at ${resolve(dir)}, or choose another name`);
  }
  const dataset = await resolveDataset(resolve(dir), {
    dataRoot: options.dataRoot,
    ...(options.imagesGlob ? {imagesGlob: options.imagesGlob} : {}),
    ...(options.masksGlob ? {masksGlob: options.masksGlob} : {}),
    ...(options.maskSuffix ? {maskSuffix: options.maskSuffix} : {}),
  });
  // Pairing problems and the content of every pair: a text file named .png is not an image.
  const problems = dataset.pairs.length ? (await verifyResolved(dataset)).problems : dataset.problems;
  const first = problems[0];
  if (first) {
    const more = problems.length - 1;
    throw new DatasetError(first.file, `${first.problem} (${problems.length} problem${problems.length === 1 ? '' : 's'}${more ? `; see them all with \`mslk datasets verify ${dir}\`` : ''}); nothing imported`);
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
    ...(previous ? {replaced: previous.root} : {}),
    ...(classes ? {classes} : {}),
    ...(splits ? {splits} : {}),
  };
}
