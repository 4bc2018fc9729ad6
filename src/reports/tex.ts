// LaTeX text from names the user chose (variants, datasets, file names): escaped so that `w/o MIE`, `ld_k=13`,
// `100%`, `A&B` and `#1` print as written, and macro names made of letters only.

const TEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', '$': '\\$', '&': '\\&', '#': '\\#', '%': '\\%', '_': '\\_',
  '^': '\\textasciicircum{}', '~': '\\textasciitilde{}', '<': '\\textless{}', '>': '\\textgreater{}', '|': '\\textbar{}',
};

/** `text` as LaTeX text-mode source that prints it as written (the ten special characters and <, >, | escaped). */
export function texEscape(text: string): string {
  return text.replace(/[\\{}$&#%_^~<>|]/g, (ch) => TEX_SPECIALS[ch]!);
}

// Characters after the escape letter 'x'; every other non-letter is 'x' + five upper-case letters (its code point in
// base 26). 'xx' is a literal 'x' and 'xy' separates fields, so the code is prefix-free: decoding is unique.
const SHORT_CODES: Record<string, string> = {
  '0': 'a', '1': 'b', '2': 'c', '3': 'd', '4': 'e', '5': 'f', '6': 'g', '7': 'h', '8': 'i', '9': 'j',
  ' ': 'k', '/': 'l', '.': 'm', '=': 'n', '-': 'o', '_': 'p', ',': 'q', '+': 'r', '(': 's', ')': 't', '[': 'u',
  ']': 'v', ':': 'w',
};

/** Separator between the fields of a macro name. */
const FIELD_SEPARATOR = 'xy';

/** `text` in letters only, injectively: letters but 'x' as they are, 'x' as 'xx', others as 'x' + a code. */
export function lettersOnly(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === 'x') out += 'xx';
    else if (/^[A-Za-z]$/.test(ch)) out += ch;
    else if (SHORT_CODES[ch] !== undefined) out += `x${SHORT_CODES[ch]}`;
    else {
      let code = ch.codePointAt(0)!;
      let letters = '';
      for (let i = 0; i < 5; i++) {
        letters = String.fromCharCode(65 + (code % 26)) + letters;
        code = Math.floor(code / 26);
      }
      out += `x${letters}`;
    }
  }
  return out;
}

/**
 * A LaTeX macro name (without the backslash): `mslk`, each field in lettersOnly separated by 'xy', then `token`
 * (letters, no 'x'), e.g. fields ['full', 'kvasir-seg', 'test'] and token 'DiceMean' give
 * `mslkfullxykvasirxosegxytestxyDiceMean`. Distinct fields or tokens give distinct names (the code is prefix-free).
 * Throws RangeError when the token is not letters without 'x' (a bug: tokens are constants).
 */
export function macroName(fields: readonly string[], token: string): string {
  if (!/^[A-Za-wyz]+$/.test(token) || token.includes('x')) throw new RangeError(`macro token '${token}' must be letters without 'x'`);
  return `mslk${fields.map(lettersOnly).join(FIELD_SEPARATOR)}${FIELD_SEPARATOR}${token}`;
}
