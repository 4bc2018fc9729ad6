// Layout detection for folders that are not a known dataset (`folder`, `import`): tries the common layouts and
// keeps the one that pairs the most files, then looks at a few masks to choose how to binarise them.
import {readdir, readFile} from 'node:fs/promises';
import {extname, join} from 'node:path';
import sharp from 'sharp';
import {collectPairs, exists, type Collected} from './collect.js';
import {DatasetError} from './errors.js';
import type {Layout} from './layout.js';
import {INSTANCE_LABELS, THRESHOLD_128, type MaskRule} from './mask-rules.js';
import {decodeBmp, isBmp} from './bmp.js';
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

/** Foreground rule from a few masks: JPEG -> threshold 128; labels (all values < 128) -> non-zero; else 128. */
export async function chooseMaskRule(root: string, maskFiles: readonly string[]): Promise<{rule: MaskRule; words: string}> {
  if (maskFiles.some((f) => ['.jpg', '.jpeg'].includes(extname(f).toLowerCase()))) {
    return {rule: THRESHOLD_128, words: 'JPEG masks: foreground >= 128'};
  }
  const step = Math.max(1, Math.floor(maskFiles.length / 8));
  let max = 0;
  for (let i = 0; i < maskFiles.length && i < step * 8; i += step) {
    const bytes = await readFile(join(root, maskFiles[i]!)).catch(() => undefined);
    if (!bytes) continue;
    try {
      const data = isBmp(bytes) ? decodeBmp(bytes).data : await sharp(bytes).raw({depth: 'uchar'}).toBuffer();
      for (const v of data) if (v > max) max = v;
    } catch {
      // An unreadable mask is verify's business; here it just does not vote.
    }
  }
  if (max > 0 && max < 128) return {rule: INSTANCE_LABELS, words: `masks hold small values (max ${max}): foreground = non-zero`};
  return {rule: THRESHOLD_128, words: 'masks: foreground >= 128'};
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
