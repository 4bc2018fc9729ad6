// A run whose split cannot be made leaves no run folder behind (issue 10: a failing split left an empty one).
import test from 'ava';
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {resolveRunConfig} from '../../src/runs/config.js';
import {trainRun} from '../../src/runs/train-run.js';
import {tempFolder, writeFolderDataset} from '../datasets/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('a dataset too small for a test split is refused and no run folder is made', async (t) => {
  const dir = await tempFolder('refused-run');
  try {
    const data = join(dir.path, 'tiny');
    await writeFolderDataset(data, 3);
    const config = await resolveRunConfig(join(root, 'configs/quickstart-unet.yaml'), {set: [`data.dataset=${data}`, 'data.size=16']});
    const out = join(dir.path, 'runs');
    await t.throwsAsync(trainRun({config, out, dataRoot: join(dir.path, 'data-root')}), {message: /test/});
    t.deepEqual(await readdir(out).catch(() => []), []);
  } finally {
    await dir.cleanup();
  }
});
