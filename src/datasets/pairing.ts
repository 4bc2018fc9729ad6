// Pairing rules: which mask file(s) belong to which image. Files are given as paths relative to the dataset root,
// grouped by the folder they were found in; a pair's key is the sub-path below the images folder plus the stem.
// Names are compared in Unicode NFC: macOS writes file names decomposed (NFD: "e" + combining accent), so an image
// named on Linux or Windows (NFC) and its mask saved on a Mac differ byte for byte while naming the same thing.
import {basename, extname, posix} from 'node:path';
import type {Problem} from './errors.js';

export type PairingRule =
  /** images/<sub>/<stem>.* with masks/<sub>/<stem>.* (Kvasir-SEG, CVC-ClinicDB, MoNuSeg). */
  | {kind: 'same-stem'}
  /** <stem>.* with <stem><suffix>.*, and, when numbered, also <stem><suffix>_1.*, _2.* united (BUSI `_mask`,
   * ISIC `_segmentation`, GlaS `_anno`, CHASE-DB1 `_1stHO`). */
  | {kind: 'suffix'; suffix: string; numbered: boolean}
  /** <stem>.* with <stem>_<anything>.* in the masks folder. */
  | {kind: 'any-suffix'}
  /** The text before the first `_` identifies the image (DRIVE: 21_training.tif with 21_manual1.gif). */
  | {kind: 'leading-id'};

export function describePairingRule(rule: PairingRule): string {
  switch (rule.kind) {
    case 'same-stem':
      return 'image and mask have the same name (stem) in their folders';
    case 'suffix':
      return `mask is <stem>${rule.suffix}${rule.numbered ? `, plus <stem>${rule.suffix}_1, _2, ... united` : ''}`;
    case 'any-suffix':
      return 'mask is <stem>_<anything> in the masks folder';
    case 'leading-id':
      return 'image and mask share the id before the first "_" (21_training with 21_manual1)';
  }
}

export interface FoundFile {
  /** Path relative to the dataset root, with `/` separators. */
  path: string;
  /** Sub-folder relative to the images (or masks) folder of its group, '' at the top. */
  sub: string;
}

export interface PairedFiles {
  /** Key (sub/stem) to use as the image id. */
  id: string;
  image: string;
  masks: string[];
}

export interface PairingResult {
  pairs: PairedFiles[];
  problems: Problem[];
}

/** The file name without its extension, as on disk (not normalised: it may be used to build paths). */
export function stemOf(path: string): string {
  const name = basename(path);
  return name.slice(0, name.length - extname(name).length);
}

/** A name in the form names are compared in: Unicode NFC (see the top of this file). */
export function normalizeName(name: string): string {
  return name.normalize('NFC');
}

/** The stem in NFC, for comparing names. */
function nameStem(path: string): string {
  return normalizeName(stemOf(path));
}

/** A pair's key: the sub-folder and the stem, in NFC. */
function keyed(file: FoundFile, stem: string): string {
  return normalizeName(file.sub ? posix.join(file.sub, stem) : stem);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The key a mask contributes under a rule, or undefined when the rule cannot say (any-suffix is matched later). */
function maskKey(rule: PairingRule, mask: FoundFile): string | undefined {
  const stem = nameStem(mask.path);
  switch (rule.kind) {
    case 'same-stem':
      return keyed(mask, stem);
    case 'suffix': {
      const pattern = new RegExp(`^(.*)${escapeRegExp(normalizeName(rule.suffix))}${rule.numbered ? '(?:_\\d+)?' : ''}$`);
      const match = pattern.exec(stem);
      return match ? keyed(mask, match[1]!) : undefined;
    }
    case 'leading-id':
      return keyed(mask, stem.split('_')[0]!);
    case 'any-suffix':
      return undefined;
  }
}

function imageKey(rule: PairingRule, image: FoundFile): string {
  const stem = nameStem(image.path);
  return keyed(image, rule.kind === 'leading-id' ? stem.split('_')[0]! : stem);
}

/**
 * True when a file found in a folder that holds both images and masks is a mask under this rule (flat layouts:
 * CHASE-DB1, GlaS, BUSI's class folders).
 */
export function looksLikeMask(rule: PairingRule, path: string): boolean {
  return rule.kind === 'suffix' && maskKey(rule, {path, sub: ''}) !== undefined;
}

/** Pairs images with masks; every image without a mask and every mask without an image is a problem. */
export function pairFiles(rule: PairingRule, images: readonly FoundFile[], masks: readonly FoundFile[]): PairingResult {
  const problems: Problem[] = [];
  const byKey = new Map<string, PairedFiles>();
  for (const image of images) {
    const id = imageKey(rule, image);
    const existing = byKey.get(id);
    if (existing) {
      problems.push({file: image.path, problem: `two images have the id "${id}" (the other is ${existing.image})`});
      continue;
    }
    byKey.set(id, {id, image: image.path, masks: []});
  }
  for (const mask of masks) {
    let pair: PairedFiles | undefined;
    if (rule.kind === 'any-suffix') {
      // The longest image stem that the mask stem starts with, followed by '_'.
      const stem = nameStem(mask.path);
      const sub = normalizeName(mask.sub || '.');
      let best = -1;
      for (const [id, candidate] of byKey) {
        const imageStem = posix.basename(id);
        if (posix.dirname(id) !== sub) continue;
        if (stem.startsWith(`${imageStem}_`) && imageStem.length > best) {
          best = imageStem.length;
          pair = candidate;
        }
      }
    } else {
      const key = maskKey(rule, mask);
      pair = key === undefined ? undefined : byKey.get(key);
    }
    if (pair) pair.masks.push(mask.path);
    else problems.push({file: mask.path, problem: 'mask has no matching image'});
  }
  const pairs: PairedFiles[] = [];
  for (const pair of byKey.values()) {
    if (pair.masks.length === 0) {
      problems.push({file: pair.image, problem: 'image has no mask'});
      continue;
    }
    // By stem first, so x_mask comes before x_mask_1 whatever the extension's punctuation sorts like.
    pair.masks.sort((a, b) => compareNatural(stemOf(a), stemOf(b)) || compareNatural(a, b));
    pairs.push(pair);
  }
  pairs.sort((a, b) => compareNatural(a.id, b.id));
  return {pairs, problems};
}

const collator = new Intl.Collator('en', {numeric: true, sensitivity: 'variant'});

/** Natural order (2 before 10), stable across machines and locales. */
export function compareNatural(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
