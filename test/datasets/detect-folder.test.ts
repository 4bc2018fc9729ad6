// Folder detection: when no pairs are found the error says what the folder holds and which flag fixes it; the
// mask folder names public datasets use are recognised.
import test from 'ava';
import fc from 'fast-check';
import {mkdir, rename} from 'node:fs/promises';
import {join} from 'node:path';
import {detectFolderLayout, isImageFolderName, isMaskFolderName} from '../../src/datasets/detect-folder.js';
import {resolveDataset} from '../../src/datasets/resolve.js';
import {tempFolder, writeFolderDataset, writeRgbImage} from './helpers.js';

test('images/ and no masks/: the error names what was found and suggests --images/--masks or --mask-suffix', async (t) => {
  const dir = await tempFolder('no-masks');
  try {
    for (let i = 0; i < 3; i++) await writeRgbImage(join(dir.path, 'images', `case${i}.png`), 8, 8);
    const error = await t.throwsAsync(resolveDataset(dir.path, {dataRoot: join(dir.path, 'root')}));
    t.notRegex(error!.message, /folder is empty/);
    t.regex(error!.message, /found images\/ \(3 image files\): no masks folder/);
    // A whole command: train and prepare take no --images/--masks of their own.
    t.regex(error!.message, /import it with `mslk datasets import .* --name <name> --images "<glob>" --masks "<glob>"` \(or --mask-suffix <suffix> when/);
    t.false(error!.message.includes('\n'));
  } finally {
    await dir.cleanup();
  }
});

test('images/ and an empty masks/: the error says the masks folder holds nothing that pairs', async (t) => {
  const dir = await tempFolder('empty-masks');
  try {
    for (let i = 0; i < 2; i++) await writeRgbImage(join(dir.path, 'images', `case${i}.png`), 8, 8);
    await mkdir(join(dir.path, 'masks'));
    const error = await t.throwsAsync(resolveDataset(dir.path, {dataRoot: join(dir.path, 'root')}));
    t.notRegex(error!.message, /folder is empty/);
    t.regex(error!.message, /found images\/ \(2 image files\), masks\/ \(0 image files\): masks\/ holds no mask files/);
    t.regex(error!.message, /--mask-suffix/);
  } finally {
    await dir.cleanup();
  }
});

test('image files at the top without masks: the error says so and names the suffix it looked for', async (t) => {
  const dir = await tempFolder('flat');
  try {
    await writeRgbImage(join(dir.path, 'a.png'), 8, 8);
    const error = await t.throwsAsync(resolveDataset(dir.path, {dataRoot: join(dir.path, 'root')}));
    t.regex(error!.message, /1 image file at the top, none named <stem>_mask/);
  } finally {
    await dir.cleanup();
  }
});

for (const masks of ['Ground Truths', 'ground-truth', 'gts', 'annotation', 'segmentation', 'targets', '1st_manual', 'Kvasir masks', 'ISIC2018_Task1_Training_GroundTruth', 'train_labels']) {
  test(`a masks folder named "${masks}" is recognised`, async (t) => {
    const dir = await tempFolder('names');
    try {
      await writeFolderDataset(dir.path, 3, 8, 8);
      await rename(join(dir.path, 'masks'), join(dir.path, masks));
      const detected = await detectFolderLayout(dir.path);
      t.is(detected.collected.pairs.length, 3);
      t.true(detected.detectedBy.includes(`${masks}/`));
    } finally {
      await dir.cleanup();
    }
  });
}

test('no folder name is taken both for images and for masks', (t) => {
  const words = fc.constantFrom('images', 'imgs', 'masks', 'labels', 'gt', 'train', 'Kvasir', 'ground truth', 'annotations', '_', ' ', '-', 'x', 'y');
  fc.assert(fc.property(fc.array(words, {minLength: 1, maxLength: 4}).map((w) => w.join('')), (name) => !(isImageFolderName(name) && isMaskFolderName(name))));
  t.true(isImageFolderName('train_images'));
  t.false(isMaskFolderName('train_images'));
});
