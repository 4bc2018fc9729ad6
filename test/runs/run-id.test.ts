// A run's id is its identity: the same inputs must give the same id across versions of the code that writes run
// directories (readable names, evaluation format). Pinned on commit 9b20320, before either changed.
import test from 'ava';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {resolveRunConfig} from '../../src/runs/config.js';
import {runId} from '../../src/runs/run-dir.js';
import {MSLK_VERSION} from '../../src/version.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the id of a tiny config is the one the code before readable names gave', async (t) => {
  const config = await resolveRunConfig(join(root, 'configs/quickstart-unet.yaml'), {
    set: ['model.baseWidth=4', 'data.size=32', 'train.epochs=2', 'train.batchSize=8', 'train.optimizer.lr=0.005'],
  });
  // The id hashes mslk's version by design: a new version pins a new id (recompute it on the old code).
  t.is(MSLK_VERSION, '0.1.0', 'the pin below belongs to mslk 0.1.0');
  t.is(runId(config, 'fingerprint:split'), '55935c68d984');
  t.not(runId({...config, seed: 1}, 'fingerprint:split'), '55935c68d984');
  t.not(runId(config, 'fingerprint:other-split'), '55935c68d984');
});
