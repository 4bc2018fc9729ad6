// The results table `ablate` prints: a model the suite names by its family shows the family's label (EMCAD: scratch
// or ImageNet, issue 15); names the suite chose stay.
import test from 'ava';
import type {PlannedRun} from '../../src/ablations/plan.js';
import {formatResultsTable, suiteResults} from '../../src/ablations/suite-results.js';
import {fixtureConfig} from '../reports/fixtures/run-store.js';

function planned(variant: string, model: Record<string, unknown>, runId: string): PlannedRun {
  return {
    runId, dir: '', config: fixtureConfig({runId, variant, seed: 0, state: 'pending', model}), suite: 's', variant, kind: 'baseline',
    dataset: 'synthetic', fold: null, seed: 0, missingData: null, images: null, testSets: [],
  };
}

test('a baseline named by its family is labelled EMCAD (scratch) or EMCAD (ImageNet); other names stay', async (t) => {
  const runs = [
    planned('emcad', {model: 'emcad', encoder: 'b0'}, 'a'.repeat(12)),
    planned('emcad', {model: 'emcad', encoder: 'b0', pretrained: 'pvt_v2_b0.safetensors'}, 'b'.repeat(12)),
    planned('unet', {}, 'c'.repeat(12)),
    planned('EMCAD-B0', {model: 'emcad', encoder: 'b0'}, 'd'.repeat(12)),
  ];
  const results = await suiteResults([runs[0]!, runs[2]!, runs[3]!], []);
  t.deepEqual(results.map((r) => r.variant), ['EMCAD (scratch)', 'unet', 'EMCAD-B0']);
  t.is((await suiteResults([runs[1]!], []))[0]!.variant, 'EMCAD (ImageNet)');
  t.regex(formatResultsTable(results), /EMCAD \(scratch\) \(baseline\)/);
});
