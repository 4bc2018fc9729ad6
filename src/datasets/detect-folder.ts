// Layout detection for folders that are not a known dataset (`folder`, `import`): tries the common layouts and
// keeps the one that pairs the most files; masks are read file by file by their encoding. The masks folder beside
// an images folder is found by name (masks/, labels/, gt/...) or else by content: any sibling folder whose files
// are named like the images and look like masks (few distinct values), as MoNuSeg's img/ + labelcol/; the line
// that says how the folder was read names the folder taken and why.
import {readdir} from 'node:fs/promises';
import {extname, join} from 'node:path';
import {collectPairs, exists, type Collected} from './collect.js';
import {maskLikeness, MASK_LIKE_MAX_VALUES} from './decode.js';
import {DatasetError} from './errors.js';
import {IMAGE_EXTENSIONS, type Layout} from './layout.js';
import {THRESHOLD_128, type MaskRule} from './mask-rules.js';
import type {PairingRule} from './pairing.js';
import {isJunk} from './walk.js';

const IMAGE_FOLDER_NAMES = ['images', 'image', 'imgs', 'img', 'original', 'originals', 'input', 'inputs', 'x', 'raw', 'frames', 'tissue images', 'training images'];
const MASK_FOLDER_NAMES = [
  'masks', 'mask', 'labels', 'label', 'gt', 'gts', 'groundtruth', 'groundtruths', 'ground_truth', 'ground truth', 'ground-truth',
  'annotations', 'annotation', 'segmentations', 'segmentation', 'seg', 'segs', 'y', 'target', 'targets', 'truth',
  'manual', '1st_manual', 'binary', 'binary_masks', 'lesion', 'gt_masks',
];
/** Folder names that end in an images or a masks word ("Kvasir masks", "train_images", "ISIC2018_GroundTruth"). */
const IMAGE_FOLDER_ENDING = /(?:^|[ _.-])(?:images?|imgs?)$/i;
const MASK_FOLDER_ENDING = /(?:^|[ _.-])(?:masks?|labels?|gts?|ground[ _-]?truths?|annotations?|segmentations?)$/i;

/** True when a folder's name says it holds images (a listed name, or one ending in images/imgs). */
export function isImageFolderName(name: string): boolean {
  return IMAGE_FOLDER_NAMES.includes(name.toLowerCase()) || IMAGE_FOLDER_ENDING.test(name);
}

/** True when a folder's name says it holds masks (a listed name, or one ending in masks/labels/gt/ground truth...). */
export function isMaskFolderName(name: string): boolean {
  return MASK_FOLDER_NAMES.includes(name.toLowerCase()) || (!isImageFolderName(name) && MASK_FOLDER_ENDING.test(name));
}

export interface FolderDetectionOptions {
  /** Mask files are <stem><suffix> (default tries `_mask`). */
  maskSuffix?: string;
  /** Glob (relative to the folder) for images, and for masks; both or neither. */
  imagesGlob?: string;
  masksGlob?: string;
}

export interface DetectedLayout {
  layout: Layout;
  collected: Collected;
  detectedBy: string;
}

interface Candidate {
  layout: Omit<Layout, 'maskRule'>;
  words: string;
  /** The masks folder's name does not say masks: it is taken only when its files look like masks. */
  masksByContent?: string;
}

/** Mask files sampled to judge a folder by its content. */
const CONTENT_SAMPLE = 5;

function pairingCandidates(maskSuffix: string | undefined): Array<{pairing: PairingRule; words: string}> {
  const suffix = maskSuffix ?? '_mask';
  const list: Array<{pairing: PairingRule; words: string}> = [];
  if (!maskSuffix) list.push({pairing: {kind: 'same-stem'}, words: 'equal stems'});
  list.push({pairing: {kind: 'suffix', suffix, numbered: true}, words: `<stem> with <stem>${suffix}`});
  if (!maskSuffix) list.push({pairing: {kind: 'any-suffix'}, words: '<stem> with <stem>_<anything>'});
  return list;
}

async function candidates(root: string, options: FolderDetectionOptions): Promise<Candidate[]> {
  const out: Candidate[] = [];
  if (options.imagesGlob || options.masksGlob) {
    if (!options.imagesGlob || !options.masksGlob) throw new DatasetError(root, 'give both --images and --masks globs, or neither');
    for (const {pairing, words} of pairingCandidates(options.maskSuffix)) {
      out.push({
        layout: {id: 'folder-globs', description: `images ${options.imagesGlob}, masks ${options.masksGlob}, ${words}`, groups: [], recursive: false, pairing, globs: {images: options.imagesGlob, masks: options.masksGlob}},
        words: `the given globs (images ${options.imagesGlob}, masks ${options.masksGlob}) with ${words}`,
      });
    }
    return out;
  }
  const entries = await readdir(root, {withFileTypes: true});
  const folders = entries.filter((e) => !isJunk(e.name) && (e.isDirectory() || e.isSymbolicLink())).map((e) => e.name);
  for (const images of folders.filter(isImageFolderName)) {
    // Every other sibling may hold the masks: by its name, or else by its content (checked in detectFolderLayout).
    for (const masks of folders.filter((f) => f !== images && (isMaskFolderName(f) || !isImageFolderName(f)))) {
      const byContent = !isMaskFolderName(masks);
      for (const {pairing, words} of pairingCandidates(options.maskSuffix)) {
        out.push({
          layout: {id: 'folder-sibling', description: `${images}/ + ${masks}/, ${words}`, groups: [{images, masks}], recursive: pairing.kind === 'same-stem', pairing},
          words: `${images}/ + ${masks}/ with ${words}`,
          ...(byContent ? {masksByContent: masks} : {}),
        });
      }
    }
  }
  const suffix = options.maskSuffix ?? '_mask';
  out.push({
    layout: {id: 'folder-flat', description: `one folder, <stem> with <stem>${suffix}`, groups: [{images: '.', masks: '.'}], recursive: false, pairing: {kind: 'suffix', suffix, numbered: true}},
    words: `one folder with <stem> and <stem>${suffix}`,
  });
  return out;
}

/**
 * The mask rule of a detected folder. No dataset-wide guess from a sample of masks: each mask file is read by its
 * own encoding (0/1 or 0/255, 8 or 16 bits, palette, alpha; labels or threshold 128 beyond two values), so a
 * folder mixing encodings reads every file right. `verify` reports how each was read.
 */
export async function chooseMaskRule(_root: string, _maskFiles: readonly string[]): Promise<{rule: MaskRule; words: string}> {
  return {rule: THRESHOLD_128, words: 'masks: each file read by its encoding (0/1, 0/255, 16-bit, palette index, alpha; the "masks read as" line counts them)'};
}

export async function detectFolderLayout(root: string, options: FolderDetectionOptions = {}): Promise<DetectedLayout> {
  if (!(await exists(root))) throw new DatasetError(root, 'folder does not exist');
  let best: {candidate: Candidate; collected: Collected; words: string} | undefined;
  for (const candidate of await candidates(root, options)) {
    const collected = await collectPairs(root, {...candidate.layout, maskRule: THRESHOLD_128});
    let words = candidate.words;
    if (candidate.masksByContent !== undefined) {
      if (collected.pairs.length === 0 || (best && collected.pairs.length < best.collected.pairs.length)) continue;
      const judged = await judgeMaskFolder(root, collected);
      if (!judged) continue;
      words = `${candidate.words} (${candidate.masksByContent}/ taken as the masks folder by its content: ${judged})`;
    }
    if (
      !best ||
      collected.pairs.length > best.collected.pairs.length ||
      (collected.pairs.length === best.collected.pairs.length && collected.problems.length < best.collected.problems.length)
    ) {
      best = {candidate, collected, words};
    }
  }
  if (!best || best.collected.pairs.length === 0) throw new DatasetError(root, await noPairsMessage(root, options, best?.collected));
  const masks = best.collected.pairs.flatMap((p) => p.masks);
  const {rule, words} = await chooseMaskRule(root, masks);
  const layout: Layout = {...best.candidate.layout, maskRule: rule};
  // The rule changes nothing about pairing, so the collected pairs stand.
  return {layout, collected: best.collected, detectedBy: `layout: ${best.words}; ${words}`};
}

/**
 * Whether the paired mask files of a folder found by content look like masks (see maskLikeness), judged on up to
 * CONTENT_SAMPLE of them spread over the pairs: the words for the detection line when all do, else undefined.
 */
async function judgeMaskFolder(root: string, collected: Collected): Promise<string | undefined> {
  const masks = collected.pairs.map((p) => p.masks[0]!);
  const step = Math.max(1, Math.floor(masks.length / CONTENT_SAMPLE));
  const sample = masks.filter((_, i) => i % step === 0).slice(0, CONTENT_SAMPLE);
  let values = 0;
  let lossy = false;
  for (const file of sample) {
    const likeness = await maskLikeness(join(root, file));
    if (!likeness.maskLike) return undefined;
    values = Math.max(values, likeness.values);
    lossy ||= likeness.lossy && likeness.values > MASK_LIKE_MAX_VALUES;
  }
  const n = collected.pairs.length;
  const how = lossy ? 'mostly black and white' : `at most ${values} distinct value${values === 1 ? '' : 's'}`;
  return `${n} file${n === 1 ? '' : 's'} named like the images, ${sample.length} of ${sample.length} sampled with ${how}`;
}

/** Image files directly in a folder (junk skipped), or undefined when it cannot be read. */
async function imageFilesIn(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir, {withFileTypes: true})).filter((e) => !isJunk(e.name) && !e.isDirectory() && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())).map((e) => e.name);
  } catch {
    return undefined;
  }
}

/**
 * Why no pairs were found, in one line: what the folder holds (image files, an images folder, a mask folder, an
 * empty one) and which flag fixes it.
 */
async function noPairsMessage(root: string, options: FolderDetectionOptions, collected: Collected | undefined): Promise<string> {
  // Said as a whole command: train and prepare take no --images/--masks, so a bare flag would point nowhere.
  const fix = `import it with \`mslk datasets import ${root} --name <name> --images "<glob>" --masks "<glob>"\` (or --mask-suffix <suffix> when masks sit beside their images), then use <name>`;
  const firstProblem = collected?.problems.find((p) => !p.problem.startsWith('folder is empty'));
  const why = firstProblem ? `; first problem: ${firstProblem.file}: ${firstProblem.problem}` : '';
  if (options.imagesGlob) return `no image/mask pairs found with --images ${options.imagesGlob} --masks ${options.masksGlob}${why}`;
  const entries = await readdir(root, {withFileTypes: true});
  const folders = entries.filter((e) => !isJunk(e.name) && (e.isDirectory() || e.isSymbolicLink())).map((e) => e.name).sort();
  const found: string[] = [];
  for (const folder of folders) {
    const images = await imageFilesIn(join(root, folder));
    found.push(`${folder}/ (${images?.length ?? 0} image file${images?.length === 1 ? '' : 's'})`);
  }
  const topImages = (await imageFilesIn(root)) ?? [];
  if (topImages.length) found.push(`${topImages.length} image file${topImages.length === 1 ? '' : 's'} at the top, none named <stem>${options.maskSuffix ?? '_mask'}`);
  const imageFolders = folders.filter(isImageFolderName);
  const maskFolders = folders.filter(isMaskFolderName);
  const others = folders.filter((f) => !isImageFolderName(f) && !isMaskFolderName(f));
  let diagnosis: string;
  if (found.length === 0) diagnosis = 'the folder holds no image files and no folders';
  else if (imageFolders.length && !maskFolders.length) {
    const looked = others.length
      ? `; ${others.map((f) => `${f}/`).join(', ')} ${others.length === 1 ? 'holds' : 'hold'} no mask-like files named like the images (masks have at most ${MASK_LIKE_MAX_VALUES} distinct values and little mid-grey)`
      : '';
    diagnosis = `found ${found.join(', ')}: no masks folder (looked for masks/, labels/, gt/, ground_truth/, annotations/, segmentations/ and names ending in those, and for any folder whose files are named like the images and look like masks)${looked}`;
  }
  else if (imageFolders.length && maskFolders.length) {
    const empty: string[] = [];
    for (const folder of maskFolders) if (((await imageFilesIn(join(root, folder))) ?? []).length === 0) empty.push(`${folder}/`);
    diagnosis = empty.length === maskFolders.length
      ? `found ${found.join(', ')}: ${empty.join(', ')} holds no mask files`
      : `found ${found.join(', ')}: the masks in ${maskFolders.map((f) => `${f}/`).join(', ')} are not named like the images`;
  }
  else diagnosis = `found ${found.join(', ')}: no images folder (looked for images/, imgs/, original/, input/ and names ending in images)`;
  return `no image/mask pairs found: ${diagnosis}${why}; ${fix}`;
}
