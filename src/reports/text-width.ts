// Text widths for laying out charts without a canvas. Vega, with no canvas package, guesses 0.8 em per character,
// which makes a 100-character subtitle 900 px wide (charts get wide blank margins) and cuts axis labels that would
// fit. This table gives each ASCII character its advance width in DejaVu Sans (fontconfig's sans-serif on Debian,
// and wider than Helvetica/Arial, so text laid out with it fits in those too: Chromium draws sans-serif as Arial
// or Liberation Sans, 10-25% narrower, test/reports/browser.test.ts measures it), rounded up to 1/100 em.
// Pure arithmetic: the same text always gets the same width, so rendering stays deterministic.

/** Advance widths in em of printable ASCII (0x20..0x7e), DejaVu Sans Book, rounded up. */
const ASCII_EM: readonly number[] = [
  // space ! " # $ % & ' ( ) * + , - . /
  0.32, 0.41, 0.46, 0.84, 0.64, 0.95, 0.78, 0.28, 0.40, 0.40, 0.50, 0.84, 0.32, 0.37, 0.32, 0.34,
  // 0-9
  0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64,
  // : ; < = > ? @
  0.34, 0.34, 0.84, 0.84, 0.84, 0.54, 1.00,
  // A-Z
  0.69, 0.69, 0.70, 0.78, 0.64, 0.58, 0.78, 0.76, 0.30, 0.30, 0.66, 0.56, 0.87, 0.75, 0.79, 0.61, 0.79, 0.70, 0.64, 0.62,
  0.74, 0.69, 0.99, 0.69, 0.62, 0.69,
  // [ \ ] ^ _ `
  0.40, 0.34, 0.40, 0.84, 0.50, 0.50,
  // a-z
  0.62, 0.64, 0.55, 0.64, 0.62, 0.36, 0.64, 0.64, 0.28, 0.28, 0.58, 0.28, 0.98, 0.64, 0.62, 0.64, 0.64, 0.42, 0.53, 0.40,
  0.64, 0.60, 0.82, 0.60, 0.60, 0.53,
  // { | } ~
  0.64, 0.34, 0.64, 0.84,
];

/** Width in em of characters outside printable ASCII: wide CJK and emoji, else an average Latin/Greek letter. */
function nonAsciiEm(codePoint: number): number {
  if (codePoint >= 0x2e80 && codePoint <= 0xa4cf) return 1; // CJK, Kana, Hangul start, Yi
  if (codePoint >= 0xac00 && codePoint <= 0xd7a3) return 1; // Hangul syllables
  if (codePoint >= 0xf900 && codePoint <= 0xfaff) return 1; // CJK compatibility
  if (codePoint >= 0xff00 && codePoint <= 0xff60) return 1; // full-width forms
  if (codePoint >= 0x1f000) return 1.2; // emoji and symbols
  if (codePoint < 0x20) return 0;
  return 0.7;
}

/**
 * Estimated width in px of one line of text in a sans-serif font of `fontSize` px: the sum of DejaVu Sans advance
 * widths, 15% more for bold (DejaVu Sans Bold, as Chromium 156 lays it out, is 10-18% wider than Book on the
 * report's labels: "full" 18%; test/reports/browser.test.ts measures it).
 */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    em += codePoint >= 0x20 && codePoint <= 0x7e ? ASCII_EM[codePoint - 0x20]! : nonAsciiEm(codePoint);
  }
  return em * fontSize * (bold ? 1.15 : 1);
}
