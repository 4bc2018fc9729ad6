import test from 'ava';
import fc from 'fast-check';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {decodeBmp} from '../../src/datasets/bmp.js';
import {decodeImage, decodeMask, resizeMask} from '../../src/datasets/decode.js';
import {INSTANCE_LABELS, THRESHOLD_128} from '../../src/datasets/mask-rules.js';
import {fillPolygons, parsePolygonsXml} from '../../src/datasets/polygon-mask.js';
import {tempFolder, writePng} from './helpers.js';

test('grey images become 3 equal channels and alpha is dropped', async (t) => {
  const dir = await tempFolder('decode');
  try {
    await writePng(join(dir.path, 'grey.png'), 4, 3, 1, Uint8Array.from({length: 12}, (_, i) => i * 20));
    await writePng(join(dir.path, 'rgba.png'), 2, 1, 4, Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 255]));
    const grey = await decodeImage(join(dir.path, 'grey.png'));
    t.deepEqual(grey.original, {width: 4, height: 3});
    t.deepEqual([...grey.image.data.subarray(0, 6)], [0, 0, 0, 20, 20, 20]);
    const rgba = await decodeImage(join(dir.path, 'rgba.png'));
    t.deepEqual([...rgba.image.data], [10, 20, 30, 40, 50, 60]);
    const resized = await decodeImage(join(dir.path, 'grey.png'), {size: 8});
    t.is(resized.image.data.length, 8 * 8 * 3);
    t.deepEqual(resized.original, {width: 4, height: 3});
  } finally {
    await dir.cleanup();
  }
});

test('instance-label masks are binarised with > 0 and 0/255 masks at 128, several masks united', async (t) => {
  const dir = await tempFolder('labels');
  try {
    await writePng(join(dir.path, 'labels.png'), 4, 1, 1, Uint8Array.from([0, 1, 2, 37]));
    await writePng(join(dir.path, 'a.png'), 4, 1, 1, Uint8Array.from([255, 0, 0, 0]));
    await writePng(join(dir.path, 'b.png'), 4, 1, 1, Uint8Array.from([0, 0, 255, 0]));
    t.deepEqual([...(await decodeMask([join(dir.path, 'labels.png')], INSTANCE_LABELS)).data], [0, 1, 1, 1]);
    t.deepEqual([...(await decodeMask([join(dir.path, 'a.png'), join(dir.path, 'b.png')], THRESHOLD_128)).data], [1, 0, 1, 0]);
  } finally {
    await dir.cleanup();
  }
});

test('nearest-neighbour mask resizing keeps masks binary at any size', (t) => {
  fc.assert(
    fc.property(fc.integer({min: 1, max: 20}), fc.integer({min: 1, max: 20}), fc.integer({min: 1, max: 40}), fc.integer(), (width, height, size, seed) => {
      const data = Uint8Array.from({length: width * height}, (_, i) => ((i * 2654435761 + seed) >>> 7) & 1);
      const out = resizeMask({width, height, data}, size);
      return out.length === size * size && out.every((v) => v === 0 || v === 1);
    }),
  );
  t.pass();
});

test('the BMP reader reads 24-bit bottom-up and 8-bit palette files', (t) => {
  // 2x2, 24-bit, rows padded to 8 bytes, stored bottom-up.
  const header = (bits: number, paletteColours: number, pixelBytes: number) => {
    const offset = 54 + paletteColours * 4;
    const b = Buffer.alloc(offset + pixelBytes);
    b.write('BM', 0, 'latin1');
    b.writeUInt32LE(b.length, 2);
    b.writeUInt32LE(offset, 10);
    b.writeUInt32LE(40, 14);
    b.writeInt32LE(2, 18);
    b.writeInt32LE(2, 22);
    b.writeUInt16LE(1, 26);
    b.writeUInt16LE(bits, 28);
    b.writeUInt32LE(paletteColours, 46);
    return b;
  };
  const rgb = header(24, 0, 16);
  // Bottom row first: (0,1)=blue (1,1)=white; then top row: (0,0)=red (1,0)=green. Pixels are B, G, R.
  Buffer.from([255, 0, 0, 255, 255, 255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0]).copy(rgb, 54);
  t.deepEqual([...decodeBmp(rgb).data], [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  const palette = header(8, 2, 8);
  Buffer.from([0, 0, 0, 0, 200, 100, 50, 0]).copy(palette, 54);
  Buffer.from([1, 0, 0, 0, 0, 1, 0, 0]).copy(palette, 62);
  t.deepEqual([...decodeBmp(palette).data], [0, 0, 0, 50, 100, 200, 50, 100, 200, 0, 0, 0]);
  t.throws(() => decodeBmp(palette.subarray(0, 60)), {message: /truncated/});
});

test('MoNuSeg-style XML polygons are filled and united', async (t) => {
  const xml = `<Annotations><Annotation><Regions>
    <Region Id="1"><Vertices><Vertex X="1" Y="1" /><Vertex X="4" Y="1" /><Vertex X="4" Y="3" /><Vertex X="1" Y="3" /></Vertices></Region>
    <Region Id="2"><Vertices><Vertex X="6" Y="4"/><Vertex X="8" Y="4"/><Vertex X="8" Y="6"/><Vertex X="6" Y="6"/></Vertices></Region>
  </Regions></Annotation></Annotations>`;
  const polygons = parsePolygonsXml(xml);
  t.is(polygons.length, 2);
  const mask = new Uint8Array(10 * 8);
  fillPolygons(mask, 10, 8, polygons);
  t.is(mask.reduce((s, v) => s + v, 0), 3 * 2 + 2 * 2);
  t.is(mask[1 * 10 + 1], 1);
  t.is(mask[0], 0);
  const dir = await tempFolder('xml');
  try {
    await writeFile(join(dir.path, 'a.xml'), xml);
    const decoded = await decodeMask([join(dir.path, 'a.xml')], {kind: 'xml-polygons'}, {imageSize: {width: 10, height: 8}});
    t.deepEqual(decoded.data, mask);
  } finally {
    await dir.cleanup();
  }
});
