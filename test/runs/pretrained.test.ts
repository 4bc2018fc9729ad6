// A new EMCAD run loads the encoder's ImageNet weights before its first step and its manifest records the file
// (issue 15), and keeps the record when resumed without the file; a run without a file records `pretrained: null`; a
// missing file is refused before anything is written.
import test from 'ava';
import {createHash} from 'node:crypto';
import {readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {activateBackend} from '../../src/engine/backends.js';
import {encodeSafetensors} from '../../src/models/export/safetensors.js';
import {resolveRunConfig, type RunConfig} from '../../src/runs/config.js';
import {trainRun} from '../../src/runs/train-run.js';
import {tempFolder, writeFolderDataset} from '../datasets/helpers.js';
import {checkpoint} from '../helpers/pvt-checkpoint.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test.before(async () => {
  await activateBackend('wasm');
});

/** EMCAD b0 (176 encoder tensors in the release's b0, head aside) on a 12-image folder at 32 px, one epoch: the smallest run that trains and evaluates. */
async function emcadConfig(dir: string, pretrained: string | null): Promise<RunConfig> {
  const file = join(dir, `emcad-${pretrained === null ? 'scratch' : 'imagenet'}.yaml`);
  await writeFile(file, [
    `extends: [${join(root, 'configs/models/emcad.yaml')}, ${join(root, 'configs/datasets/synthetic.yaml')}, ${join(root, 'configs/training/default.yaml')}]`,
    `model: {encoder: b0, pretrained: ${pretrained === null ? 'null' : JSON.stringify(pretrained)}}`,
    `data: {dataset: ${JSON.stringify(join(dir, 'tiny'))}, size: 32}`,
    'train: {epochs: 1, batchSize: 4}',
  ].join('\n'));
  return resolveRunConfig(file);
}

test.serial('an EMCAD run with ImageNet weights records them in its manifest; one without records null', async (t) => {
  const dir = await tempFolder('pretrained-run');
  try {
    await writeFolderDataset(join(dir.path, 'tiny'), 12, 32, 32);
    const weights = join(dir.path, 'pvt_v2_b0.safetensors');
    const bytes = encodeSafetensors(checkpoint('pvt-v2', 7), {format: 'pt'});
    await writeFile(weights, bytes);
    const stages: string[] = [];
    const run = await trainRun({config: await emcadConfig(dir.path, weights), out: join(dir.path, 'runs'), dataRoot: join(dir.path, 'data-root'), onStage: (m) => stages.push(m)});
    const manifest = JSON.parse(await readFile(join(run.dir, 'manifest.json'), 'utf8')) as {pretrained?: unknown; finishedAt?: string};
    t.truthy(manifest.finishedAt);
    t.deepEqual(manifest.pretrained, {
      file: weights, sha256: createHash('sha256').update(bytes).digest('hex'), scheme: 'pvt-v2', loaded: 176, missing: [], unexpected: [],
    });
    t.true(stages.some((m) => m.startsWith(`loaded 176 pretrained weights from ${weights} (pvt-v2 names`)));

    // Resumed (here after an interruption at its end), the run takes its weights from its checkpoint: the file is
    // not needed, and the manifest keeps what the first process loaded.
    await writeFile(join(run.dir, 'status'), 'partial');
    await rm(weights);
    const resumedStages: string[] = [];
    await trainRun({config: await emcadConfig(dir.path, weights), out: join(dir.path, 'runs'), dataRoot: join(dir.path, 'data-root'), resume: true, onStage: (m) => resumedStages.push(m)});
    const resumed = JSON.parse(await readFile(join(run.dir, 'manifest.json'), 'utf8')) as {pretrained?: unknown; resumed?: boolean};
    t.true(resumed.resumed);
    t.deepEqual(resumed.pretrained, manifest.pretrained);
    t.false(resumedStages.some((m) => m.startsWith('loaded ')));

    const scratchStages: string[] = [];
    const scratch = await trainRun({config: await emcadConfig(dir.path, null), out: join(dir.path, 'runs'), dataRoot: join(dir.path, 'data-root'), onStage: (m) => scratchStages.push(m)});
    t.not(scratch.runId, run.runId);
    const plain = JSON.parse(await readFile(join(scratch.dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    t.true('pretrained' in plain);
    t.is(plain['pretrained'], null);
    t.true(scratchStages.includes('model.pretrained is null: the model trains from scratch'));
  } finally {
    await dir.cleanup();
  }
});

test.serial('a missing weights file is refused in one line before the run folder is made', async (t) => {
  const dir = await tempFolder('pretrained-missing');
  try {
    await writeFolderDataset(join(dir.path, 'tiny'), 12, 32, 32);
    const out = join(dir.path, 'runs');
    const config = await emcadConfig(dir.path, join(dir.path, 'absent.safetensors'));
    await t.throwsAsync(trainRun({config, out, dataRoot: join(dir.path, 'data-root')}), {
      message: /^model\.pretrained '.*absent\.safetensors': no such file \(.*\): give the path of the weights file .*set model\.pretrained=null to train from scratch$/,
    });
    t.deepEqual(await readdir(out).catch(() => []), []);
  } finally {
    await dir.cleanup();
  }
});
