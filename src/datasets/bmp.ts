// A BMP reader, because sharp's prebuilt libvips does not read BMP and GlaS ships BMP images and masks.
// Handles what datasets use: uncompressed 1/4/8-bit palette, 24-bit and 32-bit (BI_RGB or BI_BITFIELDS with the
// usual masks), bottom-up or top-down rows. Anything else is refused with a clear message.
export interface DecodedBmp {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

export function decodeBmp(bytes: Uint8Array): DecodedBmp {
  if (!isBmp(bytes) || bytes.length < 54) throw new Error('not a BMP file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new Error(`unsupported BMP header (${headerSize} bytes)`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error(`BMP has an invalid size ${width}x${height}`);
  const bitfields = compression === 3 && (bits === 32 || bits === 16);
  if (compression !== 0 && !bitfields) throw new Error(`compressed BMP (compression ${compression}) is not supported`);
  if (![1, 4, 8, 24, 32].includes(bits)) throw new Error(`${bits}-bit BMP is not supported`);
  let palette: Uint8Array | undefined;
  if (bits <= 8) {
    const colours = view.getUint32(46, true) || 1 << bits;
    const start = 14 + headerSize;
    palette = new Uint8Array(colours * 3);
    for (let i = 0; i < colours; i++) {
      // Palette entries are B, G, R, reserved.
      palette[i * 3] = bytes[start + i * 4 + 2] ?? 0;
      palette[i * 3 + 1] = bytes[start + i * 4 + 1] ?? 0;
      palette[i * 3 + 2] = bytes[start + i * 4] ?? 0;
    }
  }
  const rowBytes = Math.floor((bits * width + 31) / 32) * 4;
  if (dataOffset + rowBytes * height > bytes.length) throw new Error('BMP file is truncated');
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const bitOffset = x * bits;
        const byte = bytes[row + (bitOffset >> 3)]!;
        const index = bits === 8 ? byte : (byte >> (8 - bits - (bitOffset & 7))) & ((1 << bits) - 1);
        data[o] = palette[index * 3] ?? 0;
        data[o + 1] = palette[index * 3 + 1] ?? 0;
        data[o + 2] = palette[index * 3 + 2] ?? 0;
      } else {
        const p = row + x * (bits / 8);
        data[o] = bytes[p + 2]!;
        data[o + 1] = bytes[p + 1]!;
        data[o + 2] = bytes[p]!;
      }
    }
  }
  return {width, height, channels: 3, data};
}
