// The significant bits a PNG declares in its sBIT chunk: how many of each sample's bits hold data. Images exported
// from DICOM keep 12-bit data (0..4095) in 16-bit PNGs and may say so here; decode.ts scales such images by this
// range instead of the full 16 bits. Only the chunk list up to the image data is walked.

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Colour channels per PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA): sBIT's first bytes. */
const COLOUR_CHANNELS: Readonly<Record<number, number>> = {0: 1, 2: 3, 3: 3, 4: 1, 6: 3};

/**
 * The largest significant-bit count sBIT gives a colour channel (alpha left out), or undefined when the bytes are
 * not a PNG, have no sBIT chunk before the image data, or the chunk is malformed (too short, a 0 or a count above
 * the bit depth: the PNG spec makes such a chunk invalid, so it says nothing).
 */
export function readPngSignificantBits(bytes: Uint8Array): number | undefined {
  if (bytes.length < 33 || PNG_SIGNATURE.some((v, i) => bytes[i] !== v)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // IHDR is first: width, height, bit depth (byte 8 of its data), colour type (byte 9).
  const bitDepth = bytes[8 + 8 + 8]!;
  const colourType = bytes[8 + 8 + 9]!;
  const channels = COLOUR_CHANNELS[colourType];
  if (channels === undefined) return undefined;
  // Palette images' sBIT refers to the palette's 8-bit entries.
  const depth = colourType === 3 ? 8 : bitDepth;
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    const start = offset + 8;
    if (start + length > bytes.length) return undefined;
    if (type === 'sBIT') {
      if (length < channels) return undefined;
      let bits = 0;
      for (let c = 0; c < channels; c++) {
        const b = bytes[start + c]!;
        if (b === 0 || b > depth) return undefined;
        bits = Math.max(bits, b);
      }
      return bits;
    }
    // sBIT must come before the image data.
    if (type === 'IDAT' || type === 'IEND') return undefined;
    offset = start + length + 4; // data + CRC
  }
  return undefined;
}
