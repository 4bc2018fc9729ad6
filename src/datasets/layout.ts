// A layout says where a dataset's images and masks are below its root, how they pair, how masks become binary and
// where the official split comes from. Registry entries list the layouts their owners distribute; `folder` and
// `import` detect one of a few common layouts.
import type {MaskRule} from './mask-rules.js';
import type {PairingRule} from './pairing.js';

/** Lower-case extensions of the image (and image-mask) files mslk reads: the one list, for datasets and `predict`. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.gif', '.webp'];

/** One images folder and its masks folder (the same folder for flat layouts), relative to the layout root. */
export interface LayoutGroup {
  images: string;
  masks: string;
  /** The official split of every pair found here (DRIVE training/ and test/). */
  split?: string;
  /** A finer official grouping inside a split (GlaS testA, testB). */
  group?: string;
  /** The class of every pair found here (BUSI benign/, malignant/, normal/ in the original release). */
  className?: string;
  /** Absent folders are fine (ISIC validation and test sets are separate downloads). */
  optional?: boolean;
}

export type SplitSource =
  /** A CSV next to the data naming each image's split (the 352 px Kvasir-SEG layout's splits.csv). */
  | {kind: 'csv'; file: string; imageColumn: string; splitColumn: string}
  /** The split given by each group (DRIVE: training/ and test/ folders). */
  | {kind: 'groups'}
  /** The split given by the file name's start (GlaS: train_, testA_, testB_). */
  | {kind: 'stem-prefix'; rules: ReadonlyArray<{prefix: string; split: string; group?: string}>};

export interface Layout {
  id: string;
  description: string;
  groups: readonly LayoutGroup[];
  /** Also look in sub-folders; their names become part of the image id (images/train/0.jpg -> train/0). */
  recursive: boolean;
  pairing: PairingRule;
  maskRule: MaskRule;
  /** Mask file extensions when they are not images (MoNuSeg: .xml). */
  maskExtensions?: readonly string[];
  /** Files that must exist at the root for this layout to apply. */
  signature?: readonly string[];
  /** The layout looks like many others (images/ + masks/): only claim a folder when checksums confirm it. */
  needsChecksumMatch?: boolean;
  /** The official split, when the owners publish one. */
  split?: SplitSource;
  /** The subject (patient, child) from the image id, group 1 of the pattern (CHASE-DB1: Image_07L -> 07). */
  subjectFromStem?: {pattern: string};
  /** Class names from the file name (BUSI: "benign (12)"). */
  classFromStem?: {pattern: string};
  /** Files that are part of the release but not data (ISIC's LICENSE.txt, CHASE-DB1's second observer). */
  ignore?: {pattern: string};
  /** Instead of groups: glob patterns relative to the root (user-given `--images` / `--masks`). */
  globs?: {images: string; masks: string};
}
