// Issue 10 section 1: every mask encoding researchers actually have decodes to the right foreground, per file,
// through the library and through `mslk datasets verify --json`; EXIF orientation turns images and masks as
// viewers show them; verify names how masks were read and warns about degenerate samples.
import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {promisify} from 'node:util';
import fc from 'fast-check';
import sharp from 'sharp';
import {decodeImage, decodeMask} from '../../src/datasets/decode.js';
import {INSTANCE_LABELS, readMaskRaster, THRESHOLD_128, type MaskRaster} from '../../src/datasets/mask-rules.js';
import {prepareDataset, loadPreparedDataset} from '../../src/datasets/prepare.js';
import {verifyDataset, type VerifyReport} from '../../src/datasets/verify.js';
import {PROJECT_ROOT, tempFolder, writePng} from './helpers.js';
import {encodePng, STD_CASES, STD_FOREGROUND, STD_HEIGHT, STD_WIDTH, stdDisc, stdImagePixels, stdMask, writeStdFolder, type StdEncoding} from './std-masks.js';

const run = promisify(execFile);

/** `mslk datasets verify <folder> --json` through the CLI; the parsed report and the exit code. */
async function verifyCli(folder: string, dataRoot: string, extra: string[] = []): Promise<{code: number; report: VerifyReport; stdout: string}> {
  const args = [join(PROJECT_ROOT, 'bin', 'dev.js'), 'datasets', 'verify', folder, ...extra];
  const env = {...process.env, MSLK_DATA_ROOT: dataRoot, MSLK_DEBUG: ''};
  let stdout: string;
  let code = 0;
  try {
    stdout = (await run(process.execPath, ['--import=tsx', ...args], {env, cwd: PROJECT_ROOT})).stdout;
  } catch (error) {
    const e = error as {code: number; stdout: string};
    stdout = e.stdout;
    code = e.code;
  }
  return {code, stdout, report: extra.includes('--json') ? (JSON.parse(stdout) as VerifyReport) : (undefined as unknown as VerifyReport)};
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

/** What each encoding must be reported as, and the right count per case (the std counts). */
const ENCODINGS: ReadonlyArray<{encoding: StdEncoding; reads: string}> = [
  {encoding: 'grey8-0-255', reads: '8-bit grey 0/255'},
  {encoding: 'grey8-0-1', reads: '8-bit grey 0/1'},
  {encoding: 'grey16-0-1', reads: '16-bit grey 0/1'},
  {encoding: 'grey16-0-255', reads: '16-bit grey 0/255'},
  {encoding: 'grey16-0-65535', reads: '16-bit grey 0/65535'},
  {encoding: 'rgb16-0-65535', reads: '16-bit RGB 0/65535'},
  {encoding: 'palette-black-red', reads: 'palette (2 colours)'},
  {encoding: 'palette-white-3-colours', reads: 'palette (3 colours)'},
  {encoding: 'palette-transparent', reads: 'palette (2 colours)'},
  {encoding: 'rgba-white-alpha', reads: '8-bit RGB+alpha: opaque = foreground'},
  {encoding: 'grey-alpha', reads: '8-bit grey+alpha: opaque = foreground'},
  {encoding: 'tiff16-0-1', reads: 'TIFF 16-bit grey 0/1'},
  {encoding: 'webp-0-255', reads: 'WEBP 8-bit RGB 0/255'},
  {encoding: 'jpeg-mask', reads: 'JPEG 8-bit RGB threshold 128'},
];

for (const {encoding, reads} of ENCODINGS) {
  test(`decodeMask reads ${encoding} masks with the std foreground counts, as "${reads}"`, async (t) => {
    const dir = await tempFolder('enc');
    try {
      const counts: number[] = [];
      for (let i = 0; i < STD_CASES; i++) {
        const mask = await stdMask(encoding, i);
        const file = join(dir.path, `case${i}.${mask.ext}`);
        await writeFile(file, mask.bytes);
        const decoded = await decodeMask([file], THRESHOLD_128);
        t.is(decoded.files?.[0]?.encoding, reads);
        if (encoding !== 'jpeg-mask') t.deepEqual(decoded.data, stdDisc(i), `case${i}: the disc, pixel for pixel`);
        counts.push(count(decoded.data));
        // The layout's rule only matters beyond two values: labels read the same two-valued masks alike.
        if (encoding !== 'jpeg-mask') t.is(count((await decodeMask([file], INSTANCE_LABELS)).data), STD_FOREGROUND[i]!);
      }
      t.deepEqual(counts, [...STD_FOREGROUND]);
    } finally {
      await dir.cleanup();
    }
  });
}

/** The cases through `mslk datasets verify --json`: the right count per mask and how masks were read. */
const CLI_CASES: ReadonlyArray<{encoding: StdEncoding; reads: Record<string, number>}> = [
  {encoding: 'grey8-0-255', reads: {'8-bit grey 0/255': 8}},
  {encoding: 'grey8-0-1', reads: {'8-bit grey 0/1': 8}},
  {encoding: 'grey16-0-1', reads: {'16-bit grey 0/1': 8}},
  {encoding: 'grey16-0-255', reads: {'16-bit grey 0/255': 8}},
  {encoding: 'grey16-0-65535', reads: {'16-bit grey 0/65535': 8}},
  {encoding: 'palette-black-red', reads: {'palette (2 colours)': 8}},
  {encoding: 'rgba-white-alpha', reads: {'8-bit RGB+alpha: opaque = foreground': 8}},
  {encoding: 'mixed-0-255-and-0-1', reads: {'8-bit grey 0/255': 6, '8-bit grey 0/1': 2}},
];

for (const {encoding, reads} of CLI_CASES) {
  test(`mslk datasets verify --json on the std folder with ${encoding} masks reports the right count per mask`, async (t) => {
    const dir = await tempFolder('verify-enc');
    try {
      const folder = join(dir.path, 'std');
      await writeStdFolder(folder, encoding);
      const {code, report} = await verifyCli(folder, join(dir.path, 'root'), ['--json']);
      t.is(code, 0, JSON.stringify(report.problems));
      t.deepEqual(report.problems, []);
      t.deepEqual(report.maskEncodings, reads);
      t.deepEqual(report.samples.map((s) => s.foreground), [...STD_FOREGROUND]);
      t.deepEqual(report.samples.map((s) => s.masks?.[0]?.foreground), [...STD_FOREGROUND]);
      t.deepEqual(report.warnings, []);
    } finally {
      await dir.cleanup();
    }
  });
}

test('the library verify reports every further encoding of each kind with the std counts', async (t) => {
  const dir = await tempFolder('verify-more');
  try {
    for (const {encoding, reads} of ENCODINGS) {
      const folder = join(dir.path, encoding);
      await writeStdFolder(folder, encoding);
      const report = await verifyDataset(folder, {dataRoot: join(dir.path, 'root')});
      t.deepEqual(report.problems, [], encoding);
      t.deepEqual(report.maskEncodings, {[reads]: 8}, encoding);
      t.deepEqual(report.samples.map((s) => s.foreground), [...STD_FOREGROUND], encoding);
    }
  } finally {
    await dir.cleanup();
  }
});

test('a large lesion in a palette mask is not refused as mid-grey (index 1 is (128, 0, 0))', async (t) => {
  const dir = await tempFolder('palette-large');
  try {
    const width = 40;
    const height = 30;
    const samples = Array.from({length: width * height}, (_, p) => (p % width < 30 ? 1 : 0));
    const file = join(dir.path, 'm.png');
    await writeFile(file, encodePng({width, height, colourType: 3, bitDepth: 8, samples, palette: [[0, 0, 0], [128, 0, 0]]}));
    const mask = await decodeMask([file], THRESHOLD_128);
    t.is(count(mask.data), 30 * height);
  } finally {
    await dir.cleanup();
  }
});

test('EXIF orientation 6 on a non-square JPEG: verify turns the images, counts every mask right and says so', async (t) => {
  const dir = await tempFolder('exif6');
  try {
    const folder = join(dir.path, 'std');
    await writeStdFolder(folder, 'grey8-0-255', {exifOrientation6: true});
    const {code, report} = await verifyCli(folder, join(dir.path, 'root'), ['--json']);
    t.is(code, 0, JSON.stringify(report.problems));
    t.deepEqual(report.reoriented, {images: 8, masks: 0});
    t.deepEqual(report.samples.map((s) => [s.width, s.height, s.orientation]), Array(8).fill([STD_WIDTH, STD_HEIGHT, 6]));
    t.deepEqual(report.samples.map((s) => s.foreground), [...STD_FOREGROUND]);
    const text = await verifyCli(folder, join(dir.path, 'root'));
    t.regex(text.stdout, /EXIF orientation applied \(as image viewers show them\): 8 images, 0 masks/);
    t.regex(text.stdout, /masks read as: 8-bit grey 0\/255: 8/);
  } finally {
    await dir.cleanup();
  }
});

/** Mean red inside and outside a mask, from RGB pixels of the same size. */
function redInsideOutside(rgb: Uint8Array, mask: Uint8Array): {inside: number; outside: number} {
  let inside = 0;
  let outside = 0;
  const n = count(mask);
  for (let p = 0; p < mask.length; p++) (mask[p] ? (inside += rgb[p * 3]!) : (outside += rgb[p * 3]!));
  return {inside: inside / n, outside: outside / (mask.length - n)};
}

test('a square JPEG with EXIF orientation 6: its mask, drawn on the displayed image, aligns in decode and prepare', async (t) => {
  const dir = await tempFolder('exif6-square');
  try {
    const side = 48;
    // Displayed: bright red disc left of centre; stored: that turned 90 degrees anticlockwise, tagged 6.
    const disc = new Uint8Array(side * side);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) if ((x - 14) ** 2 + (y - 20) ** 2 <= 64) disc[y * side + x] = 1;
    const displayed = new Uint8Array(side * side * 3);
    for (let p = 0; p < disc.length; p++) displayed[p * 3] = disc[p] ? 230 : 20;
    const raw = {width: side, height: side, channels: 3 as const};
    const stored = await sharp(displayed, {raw}).rotate(270).raw().toBuffer();
    const folder = join(dir.path, 'sq');
    await mkdir(join(folder, 'images'), {recursive: true});
    await sharp(stored, {raw}).jpeg({quality: 95}).withMetadata({orientation: 6}).toFile(join(folder, 'images', 'a.jpg'));
    await writePng(join(folder, 'masks', 'a.png'), side, side, 1, disc.map((v) => v * 255));
    const decoded = await decodeImage(join(folder, 'images', 'a.jpg'));
    t.is(decoded.orientation, 6);
    const red = redInsideOutside(decoded.image.data, disc);
    t.true(red.inside > 180 && red.outside < 70, `red inside ${red.inside}, outside ${red.outside}`);
    // prepare (what training reads) uses the same orientation: at the original size the disc is still red.
    const dataRoot = join(dir.path, 'root');
    await prepareDataset(folder, {dataRoot, size: side});
    const prepared = await loadPreparedDataset(folder, {dataRoot, size: side});
    const rgb = prepared.imageBytes(0);
    t.deepEqual(prepared.samples[0]?.maskEncodings, ['8-bit RGB 0/255']);
    t.is(prepared.samples[0]?.orientation, 6);
    const fromCache = redInsideOutside(rgb, prepared.maskBytes(0));
    t.true(fromCache.inside > 180 && fromCache.outside < 70, `cached red inside ${fromCache.inside}, outside ${fromCache.outside}`);
  } finally {
    await dir.cleanup();
  }
});

/** For displayed pixel (X, Y) of an image shown W x H, the stored pixel an EXIF orientation takes it from. */
function storedPixel(orientation: number, X: number, Y: number, W: number, H: number): [number, number] {
  // Stored size is W x H for 1-4 and H x W for 5-8 (w x h below).
  const w = orientation >= 5 ? H : W;
  const h = orientation >= 5 ? W : H;
  switch (orientation) {
    case 2: return [w - 1 - X, Y]; // mirrored left-right
    case 3: return [w - 1 - X, h - 1 - Y]; // turned 180
    case 4: return [X, h - 1 - Y]; // mirrored top-bottom
    case 5: return [Y, X]; // transposed
    case 6: return [Y, h - 1 - X]; // shown turned 90 clockwise
    case 7: return [w - 1 - Y, h - 1 - X]; // transverse
    case 8: return [w - 1 - Y, X]; // shown turned 90 anticlockwise
    default: return [X, Y];
  }
}

test('every EXIF orientation 2-8 shows images and masks as viewers do (JPEG images, JPEG masks)', async (t) => {
  const dir = await tempFolder('exif-all');
  try {
    const W = 32;
    const H = 24;
    // Displayed image: 8x8 blocks of distinct colours (JPEG keeps block means); mask: one corner block.
    const displayed = new Uint8Array(W * H * 3);
    for (let Y = 0; Y < H; Y++) {
      for (let X = 0; X < W; X++) {
        const block = (Y >> 3) * (W >> 3) + (X >> 3);
        displayed.set([(block * 53) % 256, (block * 101) % 256, (block * 29 + 60) % 256], (Y * W + X) * 3);
      }
    }
    const maskDisplayed = new Uint8Array(W * H);
    for (let Y = 0; Y < 8; Y++) for (let X = W - 8; X < W; X++) maskDisplayed[Y * W + X] = 1;
    for (let orientation = 2; orientation <= 8; orientation++) {
      const w = orientation >= 5 ? H : W;
      const h = orientation >= 5 ? W : H;
      const stored = new Uint8Array(w * h * 3);
      const storedMask = new Uint8Array(w * h);
      for (let Y = 0; Y < H; Y++) {
        for (let X = 0; X < W; X++) {
          const [x, y] = storedPixel(orientation, X, Y, W, H);
          stored.set(displayed.subarray((Y * W + X) * 3, (Y * W + X) * 3 + 3), (y * w + x) * 3);
          storedMask[y * w + x] = maskDisplayed[Y * W + X]! * 255;
        }
      }
      const imageFile = join(dir.path, `o${orientation}.jpg`);
      const maskFile = join(dir.path, `o${orientation}_mask.jpg`);
      await sharp(stored, {raw: {width: w, height: h, channels: 3}}).jpeg({quality: 100, chromaSubsampling: '4:4:4'}).withMetadata({orientation}).toFile(imageFile);
      await sharp(storedMask, {raw: {width: w, height: h, channels: 1}}).jpeg({quality: 100}).withMetadata({orientation}).toFile(maskFile);
      const decoded = await decodeImage(imageFile);
      t.deepEqual(decoded.original, {width: W, height: H}, `orientation ${orientation}`);
      t.is(decoded.orientation, orientation);
      let error = 0;
      for (let i = 0; i < displayed.length; i++) error += Math.abs(decoded.image.data[i]! - displayed[i]!);
      t.true(error / displayed.length < 6, `orientation ${orientation}: mean error ${error / displayed.length}`);
      const mask = await decodeMask([maskFile], THRESHOLD_128, {imageSize: decoded.original});
      t.deepEqual(mask.data, maskDisplayed, `orientation ${orientation}: mask as displayed`);
      t.is(mask.files?.[0]?.orientation, orientation);
    }
  } finally {
    await dir.cleanup();
  }
});

test('verify warns about an all-foreground mask, a one-pixel mask and a 1x1 image, and images below a quarter of --size', async (t) => {
  const dir = await tempFolder('degenerate');
  try {
    const folder = join(dir.path, 'd');
    const rgb = (w: number, h: number) => new Uint8Array(w * h * 3).fill(90);
    for (const [name, w, h] of [['full', 20, 20], ['dot', 20, 20], ['tiny', 1, 1], ['fine', 20, 20]] as const) {
      await writePng(join(folder, 'images', `${name}.png`), w, h, 3, rgb(w, h));
    }
    await writePng(join(folder, 'masks', 'full.png'), 20, 20, 1, new Uint8Array(400).fill(255));
    const dot = new Uint8Array(400);
    dot[210] = 255;
    await writePng(join(folder, 'masks', 'dot.png'), 20, 20, 1, dot);
    await writePng(join(folder, 'masks', 'tiny.png'), 1, 1, 1, new Uint8Array(1));
    const fine = new Uint8Array(400);
    fine.fill(255, 100, 200);
    await writePng(join(folder, 'masks', 'fine.png'), 20, 20, 1, fine);
    const report = await verifyDataset(folder, {dataRoot: join(dir.path, 'root')});
    t.deepEqual(report.problems, []);
    t.deepEqual(report.warnings, [
      '1 mask is all foreground: masks/full.png',
      '1 mask has a single foreground pixel: masks/dot.png',
      '1 image is far smaller than training needs (under 16 px): images/tiny.png (1x1)',
    ]);
    // sharp writes 1-channel raw input as an RGB PNG.
    t.deepEqual(report.maskEncodings, {'8-bit RGB 0/255': 2, '8-bit RGB all 0 (empty)': 1, '8-bit RGB all 255 (all foreground)': 1});
    const sized = await verifyDataset(folder, {dataRoot: join(dir.path, 'root'), size: 128});
    t.true(sized.warnings.includes('4 images are far smaller than training needs (less than a quarter of the training size 128 px): images/dot.png (20x20), images/fine.png (20x20), images/full.png (20x20), images/tiny.png (1x1)'), sized.warnings.join(' | '));
  } finally {
    await dir.cleanup();
  }
});

test('a JPEG mask whose values all stay below 128 is read empty, and verify says so instead of passing it silently', async (t) => {
  const dir = await tempFolder('dim');
  try {
    const folder = join(dir.path, 'dim');
    await writePng(join(folder, 'images', 'a.png'), STD_WIDTH, STD_HEIGHT, 3, stdImagePixels(3));
    await mkdir(join(folder, 'masks'), {recursive: true});
    // Values near 30: too dark to be mid-grey (that is refused as not binary), so it would pass as an empty mask.
    await sharp(stdDisc(3).map((v) => v * 30), {raw: {width: STD_WIDTH, height: STD_HEIGHT, channels: 1}}).jpeg({quality: 70}).toFile(join(folder, 'masks', 'a.jpg'));
    const report = await verifyDataset(folder, {dataRoot: join(dir.path, 'root')});
    t.is(report.samples[0]?.foreground, 0);
    t.is(report.warnings.length, 1);
    t.regex(report.warnings[0]!, /^1 mask reads as empty although not all 0 \(threshold 128\): masks\/a\.jpg \(values up to \d+\)$/);
  } finally {
    await dir.cleanup();
  }
});

/** The raster of a binary mask in one of the lossless encodings the reader must recognise. */
function encodeRaster(mask: Uint8Array, width: number, height: number, how: {bits: 8 | 16; channels: 1 | 2 | 3 | 4; value: number; palette: boolean}): MaskRaster {
  const n = width * height;
  const data = how.bits === 16 ? new Uint16Array(n * how.channels) : new Uint8Array(n * how.channels);
  const full = how.bits === 16 ? 65535 : 255;
  for (let p = 0; p < n; p++) {
    const colours = how.channels === 2 || how.channels === 4 ? how.channels - 1 : how.channels;
    for (let c = 0; c < colours; c++) data[p * how.channels + c] = mask[p] ? how.value : 0;
    if (colours < how.channels) data[p * how.channels + colours] = full;
  }
  const raster: MaskRaster = {width, height, data, channels: how.channels, bits: how.bits, space: how.channels <= 2 ? 'grey' : 'RGB', format: 'PNG', lossy: false};
  if (how.palette) raster.palette = {indices: Uint8Array.from(mask), background: [true, false]};
  return raster;
}

test('property: a binary mask survives every lossless encoding (8/16 bits, grey/RGB, with alpha, any foreground value, palette)', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(
      fc.integer({min: 1, max: 9}),
      fc.integer({min: 1, max: 9}),
      fc.constantFrom(8 as const, 16 as const),
      fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
      fc.boolean(),
      fc.double({min: 0, max: 1, noNaN: true}),
      fc.integer({min: 0, max: 0xffffffff}),
      (width, height, bits, channels, palette, share, seed) => {
        const full = bits === 16 ? 65535 : 255;
        const value = 1 + (seed % full);
        const mask = new Uint8Array(width * height);
        let state = seed;
        for (let p = 0; p < mask.length; p++) {
          state = (Math.imul(state, 1103515245) + 12345) >>> 0;
          mask[p] = state / 2 ** 32 < share ? 1 : 0;
        }
        const out = new Uint8Array(mask.length);
        const reading = readMaskRaster(out, encodeRaster(mask, width, height, {bits, channels, value, palette}), THRESHOLD_128);
        return out.every((v, p) => v === mask[p]) && reading.foreground === count(mask);
      },
    ),
    {numRuns: 300},
  ));
});
