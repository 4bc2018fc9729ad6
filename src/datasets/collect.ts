// Applies a layout to a folder: finds every image and mask file, pairs them, and records each pair's official
// split and class where the layout knows them. Everything that does not fit is a problem naming the file.
import {access, readFile} from 'node:fs/promises';
import {join, posix} from 'node:path';
import fg from 'fast-glob';
import type {Problem} from './errors.js';
import {firstLine} from './errors.js';
import {IMAGE_EXTENSIONS, type Layout, type LayoutGroup} from './layout.js';
import {compareNatural, looksLikeMask, normalizeName, pairFiles, stemOf, type FoundFile} from './pairing.js';
import {walkFolder, type WalkedFile} from './walk.js';
import {parseCsv} from './csv.js';

export interface SamplePair {
  /** Unique within the dataset: the image's sub-folder and stem ("benign (12)", "train/0"). */
  id: string;
  /** Paths relative to the dataset root, `/` separators. */
  image: string;
  masks: string[];
  /** Official split, when the layout has one. */
  split?: string;
  /** Finer official group (GlaS testA/testB). */
  group?: string;
  className?: string;
}

export interface Collected {
  pairs: SamplePair[];
  problems: Problem[];
  /** Files looked at (images, masks, other files in image folders). */
  fileCount: number;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** True when every required folder and signature file of the layout is present under root. */
export async function layoutApplies(root: string, layout: Layout): Promise<boolean> {
  for (const file of layout.signature ?? []) if (!(await exists(join(root, file)))) return false;
  if (layout.globs) return true;
  let any = false;
  for (const group of layout.groups) {
    const present = (await exists(join(root, group.images))) && (await exists(join(root, group.masks)));
    if (!present && !group.optional) return false;
    any ||= present;
  }
  return any;
}

function isImage(file: WalkedFile): boolean {
  return IMAGE_EXTENSIONS.includes(file.ext);
}

async function groupFiles(root: string, layout: Layout, group: LayoutGroup, problems: Problem[]): Promise<{images: FoundFile[]; masks: FoundFile[]; count: number}> {
  const maskExts = layout.maskExtensions ?? IMAGE_EXTENSIONS;
  const images: FoundFile[] = [];
  const masks: FoundFile[] = [];
  const flat = posix.normalize(group.images) === posix.normalize(group.masks);
  const ignore = layout.ignore ? new RegExp(layout.ignore.pattern) : undefined;
  const keep = (walked: {files: WalkedFile[]}) => (ignore ? walked.files.filter((f) => !ignore.test(posix.basename(f.path))) : walked.files);
  const walkedImages = await walkFolder(root, group.images, layout.recursive);
  problems.push(...walkedImages.problems);
  walkedImages.files = keep(walkedImages);
  if (flat) {
    // One folder holds both: the pairing rule tells masks from images; other files (Grade.csv) are not data.
    for (const file of walkedImages.files) {
      const isMaskFile = layout.maskExtensions ? maskExts.includes(file.ext) : isImage(file) && looksLikeMask(layout.pairing, file.path);
      if (isMaskFile) masks.push(file);
      else if (isImage(file)) images.push(file);
    }
    return {images, masks, count: walkedImages.files.length};
  }
  const walkedMasks = await walkFolder(root, group.masks, layout.recursive);
  problems.push(...walkedMasks.problems);
  walkedMasks.files = keep(walkedMasks);
  for (const file of walkedImages.files) {
    if (isImage(file)) images.push(file);
    else problems.push({file: file.path, problem: `not an image file (extension "${file.ext || 'none'}")`});
  }
  for (const file of walkedMasks.files) {
    if (maskExts.includes(file.ext)) masks.push(file);
    else problems.push({file: file.path, problem: `not a mask file (extension "${file.ext || 'none'}")`});
  }
  return {images, masks, count: walkedImages.files.length + walkedMasks.files.length};
}

async function globFiles(root: string, pattern: string): Promise<FoundFile[]> {
  const found = await fg(pattern, {cwd: root, onlyFiles: true, dot: false, followSymbolicLinks: true, suppressErrors: true});
  return found.sort().map((path) => ({path, sub: ''}));
}

export async function collectPairs(root: string, layout: Layout): Promise<Collected> {
  const problems: Problem[] = [];
  const pairs: SamplePair[] = [];
  let fileCount = 0;
  if (!(await exists(root))) return {pairs, problems: [{file: root, problem: 'folder does not exist'}], fileCount};
  if (layout.globs) {
    const images = await globFiles(root, layout.globs.images);
    const masks = await globFiles(root, layout.globs.masks);
    const maskSet = new Set(masks.map((m) => m.path));
    const onlyImages = images.filter((i) => !maskSet.has(i.path));
    fileCount = onlyImages.length + masks.length;
    const result = pairFiles(layout.pairing, onlyImages, masks);
    problems.push(...result.problems);
    pairs.push(...result.pairs.map((p) => ({id: p.id, image: p.image, masks: p.masks})));
  } else {
    for (const group of layout.groups) {
      const present = (await exists(join(root, group.images))) && (await exists(join(root, group.masks)));
      if (!present) {
        if (!group.optional) {
          const missing = (await exists(join(root, group.images))) ? group.masks : group.images;
          problems.push({file: missing, problem: 'folder does not exist'});
        }
        continue;
      }
      const {images, masks, count} = await groupFiles(root, layout, group, problems);
      fileCount += count;
      const result = pairFiles(layout.pairing, images, masks);
      problems.push(...result.problems);
      for (const p of result.pairs) {
        const pair: SamplePair = {id: p.id, image: p.image, masks: p.masks};
        if (group.split) pair.split = group.split;
        if (group.group) pair.group = group.group;
        if (group.className) pair.className = group.className;
        pairs.push(pair);
      }
    }
  }
  const seen = new Map<string, string>();
  const unique: SamplePair[] = [];
  for (const pair of pairs) {
    const other = seen.get(pair.id);
    if (other) {
      problems.push({file: pair.image, problem: `two images have the id "${pair.id}" (the other is ${other})`});
      continue;
    }
    seen.set(pair.id, pair.image);
    unique.push(pair);
  }
  if (layout.classFromStem) {
    const pattern = new RegExp(layout.classFromStem.pattern);
    for (const pair of unique) {
      const match = pattern.exec(normalizeName(stemOf(pair.image)));
      if (match) pair.className = match[1] ?? match[0];
    }
  }
  await assignOfficialSplit(root, layout, unique, problems);
  if (fileCount === 0 && problems.length === 0) problems.push({file: root, problem: 'folder is empty: no images or masks found'});
  unique.sort((a, b) => compareNatural(a.id, b.id));
  return {pairs: unique, problems, fileCount};
}

async function assignOfficialSplit(root: string, layout: Layout, pairs: SamplePair[], problems: Problem[]): Promise<void> {
  const source = layout.split;
  if (!source || source.kind === 'groups') return;
  if (source.kind === 'stem-prefix') {
    for (const pair of pairs) {
      const stem = normalizeName(stemOf(pair.image));
      const rule = source.rules.find((r) => stem.startsWith(r.prefix));
      if (rule) {
        pair.split = rule.split;
        if (rule.group) pair.group = rule.group;
      }
    }
    return;
  }
  const csvPath = join(root, source.file);
  let rows: Array<Record<string, string>>;
  try {
    rows = parseCsv(await readFile(csvPath, 'utf8'));
  } catch (error) {
    problems.push({file: source.file, problem: `cannot read the split file: ${firstLine(error)}`});
    return;
  }
  const byImage = new Map<string, string>();
  for (const row of rows) {
    const image = row[source.imageColumn];
    const split = row[source.splitColumn];
    if (image && split) byImage.set(normalizeName(image.replace(/\.[^./]+$/, '')), split);
  }
  for (const pair of pairs) {
    const split = byImage.get(pair.id);
    if (split) pair.split = split;
    else problems.push({file: pair.image, problem: `not listed in ${source.file}`});
  }
}
