// The palette of an indexed PNG (colour type 3), read from its PLTE and tRNS chunks. sharp decodes indexed PNGs to
// RGB(A) and does not hand out the indices, so mask decoding maps each decoded colour back to its palette entry.
// Only the chunk list is walked; the pixel data (IDAT) is left to sharp.

/** One palette entry: red, green, blue, alpha (255 when the PNG has no tRNS entry for it). */
export interface PaletteEntry {
  r: number;
  g: number;
  b: number;
  a: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The palette of an indexed PNG, or undefined when the bytes are not a PNG or have no PLTE chunk (a PNG's PLTE
 * may also be a mere suggestion in a truecolour PNG: the caller checks sharp's `isPalette` first).
 * Throws on a chunk that runs past the end of the file.
 */
export function readPngPalette(bytes: Uint8Array): PaletteEntry[] | undefined {
  if (bytes.length < 8 || PNG_SIGNATURE.some((v, i) => bytes[i] !== v)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let palette: PaletteEntry[] | undefined;
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    const start = offset + 8;
    if (start + length > bytes.length) throw new Error(`PNG chunk ${type} runs past the end of the file`);
    if (type === 'PLTE') {
      palette = [];
      for (let i = 0; i + 2 < length; i += 3) palette.push({r: bytes[start + i]!, g: bytes[start + i + 1]!, b: bytes[start + i + 2]!, a: 255});
    } else if (type === 'tRNS' && palette) {
      // tRNS alphas apply to the first `length` palette entries; the rest stay opaque.
      for (let i = 0; i < length && i < palette.length; i++) palette[i]!.a = bytes[start + i]!;
    } else if (type === 'IDAT' || type === 'IEND') {
      // PLTE and tRNS must both come before the image data.
      if (palette) break;
    }
    offset = start + length + 4; // data + CRC
  }
  return palette;
}

/**
 * Which palette entries are background: those that are black or fully transparent; when there is none, entry 0
 * (annotation tools such as LabelMe, CVAT and the PASCAL VOC format put the background at index 0 in black; a
 * tool that draws on white still keeps it at index 0).
 */
export function backgroundEntries(palette: readonly PaletteEntry[]): boolean[] {
  const background = palette.map((p) => p.a === 0 || (p.r === 0 && p.g === 0 && p.b === 0));
  if (!background.some(Boolean) && background.length > 0) background[0] = true;
  return background;
}
