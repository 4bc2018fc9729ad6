// Text from the user (config keys, --set assignments, suite and variant names, file bytes) as a message can show
// it: control and invisible characters escaped, so that a CR from a CRLF script or a zero-width space pasted into
// a key is seen in the message instead of moving the cursor or hiding in plain sight; and UTF-8 checked with the
// place of the first bad byte, so that a Latin-1 byte is named instead of becoming U+FFFD in a variant name.

/**
 * Characters a terminal does not show as themselves: controls (C0, DEL, C1; \p{Cc}), format characters such as
 * zero-width spaces and joiners, the BOM and bidirectional marks (\p{Cf}), and the line and paragraph separators.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {'\r': '\\r', '\n': '\\n', '\t': '\\t'};

/** Whether `text` holds a character escapeInvisible would escape. */
export function hasInvisible(text: string): boolean {
  return new RegExp(INVISIBLE.source, 'u').test(text);
}

/** `text` with every invisible character written as an escape: `\r`, `\n`, `\t`, else `\u200b` (4 hex digits, lower case). */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** The first invisible character of `text` as `U+200B`, or undefined when there is none. */
export function firstInvisible(text: string): string | undefined {
  const match = new RegExp(INVISIBLE.source, 'u').exec(text);
  return match === null ? undefined : `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Where the first byte that is not well-formed UTF-8 is: its offset (from 0), line and column (from 1, in bytes). */
export interface Utf8Fault {
  offset: number;
  line: number;
  column: number;
  /** The byte itself, e.g. 0xE9. */
  byte: number;
}

/** The number of continuation bytes after a lead byte and the range of the first one (RFC 3629, table 3-7 of Unicode). */
function sequenceOf(lead: number): {length: number; low: number; high: number} | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return {length: 2, low: 0x80, high: 0xbf};
  if (lead === 0xe0) return {length: 3, low: 0xa0, high: 0xbf}; // no overlong forms
  if (lead === 0xed) return {length: 3, low: 0x80, high: 0x9f}; // no surrogates
  if (lead >= 0xe1 && lead <= 0xef) return {length: 3, low: 0x80, high: 0xbf};
  if (lead === 0xf0) return {length: 4, low: 0x90, high: 0xbf};
  if (lead === 0xf4) return {length: 4, low: 0x80, high: 0x8f}; // nothing above U+10FFFF
  if (lead >= 0xf1 && lead <= 0xf3) return {length: 4, low: 0x80, high: 0xbf};
  return undefined;
}

/** The first byte of `bytes` that starts no well-formed UTF-8 sequence, or undefined when all of it is UTF-8. */
export function findInvalidUtf8(bytes: Uint8Array): Utf8Fault | undefined {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      if (lead === 0x0a) {
        line++;
        lineStart = i + 1;
      }
      i++;
      continue;
    }
    const seq = sequenceOf(lead);
    let ok = seq !== undefined && i + seq.length <= bytes.length;
    if (ok) {
      const second = bytes[i + 1]!;
      ok = second >= seq!.low && second <= seq!.high;
      for (let k = 2; ok && k < seq!.length; k++) ok = bytes[i + k]! >= 0x80 && bytes[i + k]! <= 0xbf;
    }
    if (!ok) return {offset: i, line, column: i - lineStart + 1, byte: lead};
    i += seq!.length;
  }
  return undefined;
}
