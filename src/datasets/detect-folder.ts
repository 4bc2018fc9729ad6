// Layout detection for folders that are not a known dataset (`folder`, `import`): tries the common layouts and
// keeps the one that pairs the most files; masks are read file by file by their encoding.
import {readdir} from 'node:fs/promises';
import {collectPairs, exists, type Collected} from './collect.js';
import {DatasetError} from './errors.js';
import type {Layout} from './layout.js';
import {THRESHOLD_128, type MaskRule} from './mask-rules.js';
import type {PairingRule} from './pairing.js';
import {isJunk} from './walk.js';

const IMAGE_FOLDER_NAMES = ['images', 'image', 'imgs', 'img', 'original', 'input', 'inputs', 'x'];
const MASK_FOLDER_NAMES = ['masks', 'mask', 'labels', 'label', 'gt', 'groundtruth', 'ground_truth', 'ground truth', 'annotations', 'segmentations', 'y'];

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
}

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
  const byName = (names: string[]) => folders.filter((f) => names.includes(f.toLowerCase()));
  for (const images of byName(IMAGE_FOLDER_NAMES)) {
    for (const masks of byName(MASK_FOLDER_NAMES)) {
      for (const {pairing, words} of pairingCandidates(options.maskSuffix)) {
        out.push({
          layout: {id: 'folder-sibling', description: `${images}/ + ${masks}/, ${words}`, groups: [{images, masks}], recursive: pairing.kind === 'same-stem', pairing},
          words: `${images}/ + ${masks}/ with ${words}`,
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
  return {rule: THRESHOLD_128, words: 'masks: each file read by its encoding (mslk datasets verify says how)'};
}

export async function detectFolderLayout(root: string, options: FolderDetectionOptions = {}): Promise<DetectedLayout> {
  if (!(await exists(root))) throw new DatasetError(root, 'folder does not exist');
  let best: {candidate: Candidate; collected: Collected} | undefined;
  for (const candidate of await candidates(root, options)) {
    const collected = await collectPairs(root, {...candidate.layout, maskRule: THRESHOLD_128});
    if (
      !best ||
      collected.pairs.length > best.collected.pairs.length ||
      (collected.pairs.length === best.collected.pairs.length && collected.problems.length < best.collected.problems.length)
    ) {
      best = {candidate, collected};
    }
  }
  if (!best || best.collected.pairs.length === 0) {
    const why = best?.collected.problems[0];
    throw new DatasetError(root, `no image/mask pairs found (tried images/ + masks/ folders and <stem>${options.maskSuffix ?? '_mask'} files)${why ? `; first problem: ${why.file}: ${why.problem}` : ''}`);
  }
  const masks = best.collected.pairs.flatMap((p) => p.masks);
  const {rule, words} = await chooseMaskRule(root, masks);
  const layout: Layout = {...best.candidate.layout, maskRule: rule};
  // The rule changes nothing about pairing, so the collected pairs stand.
  return {layout, collected: best.collected, detectedBy: `layout: ${best.candidate.words}; ${words}`};
}
