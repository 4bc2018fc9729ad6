// Which subject (patient, child) an image belongs to, so that splits keep a subject's images together. The
// dataset's layout says where it knows (CHASE_DB1: the child's number; MoNuSeg: the TCGA patient barcode); other
// folders get a subject when every image id carries a patient id in a common form.
import type {Layout} from './layout.js';
import type {SplitItem} from './splits.js';

/**
 * Patient ids as public datasets write them in file names: a TCGA patient barcode (TCGA-XX-XXXX), or a word for
 * a subject followed by a number ("patient12_slice3", "P-case_07-2", "subject 4").
 */
const GENERIC_SUBJECT_PATTERNS: readonly RegExp[] = [
  /^(TCGA-[A-Z0-9]{2}-[A-Z0-9]{4})-/i,
  /(?:^|[^a-z])((?:patient|subject|pat|case)[ _-]?\d+)(?=$|[^0-9])/i,
];

function subjectBy(pattern: RegExp, id: string): string | undefined {
  const match = pattern.exec(id);
  return match ? (match[1] ?? match[0]).toLowerCase().replace(/[ _-]/g, '') : undefined;
}

/**
 * The items with their `subject` set: from the layout's `subjectFromStem` where it has one (ids it does not
 * match keep no subject), else from the first generic pattern that matches every id, else unchanged.
 */
export function withSubjects<T extends SplitItem>(layout: Layout, items: readonly T[]): T[] {
  const own = layout.subjectFromStem ? new RegExp(layout.subjectFromStem.pattern) : undefined;
  const pattern = own ?? GENERIC_SUBJECT_PATTERNS.find((p) => items.length > 0 && items.every((i) => p.test(baseName(i.id))));
  if (!pattern) return [...items];
  return items.map((item) => {
    const subject = subjectBy(pattern, baseName(item.id));
    return subject === undefined ? item : {...item, subject};
  });
}

/** Ids may carry a sub-folder (train/0): the subject is in the name. */
function baseName(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}
