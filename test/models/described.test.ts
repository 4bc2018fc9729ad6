// Knobs are documented by their schema: every field of every family's config and of the run config has a
// description and a default that listings show (walking the schemas, so a new field without them fails here).
import test from 'ava';
import {z} from 'zod';
import {describeSchema} from '../../src/config/describe-schema.js';
import {commonFields, ioFields, STATELESS_FAMILY_HOOKS} from '../../src/models/families/common.js';
import {MODEL_NAMES, MODEL_REGISTRY, type ModelFamily} from '../../src/models/registry.js';
import {runSettingsSchema} from '../../src/runs/config.js';

/** Fields without a description, or whose default a listing cannot show ('required'). */
function undocumented(schema: z.ZodTypeAny): string[] {
  return describeSchema(schema).flatMap((row) => [
    ...(row.description?.trim() ? [] : [`${row.path}: no description`]),
    ...(row.default === 'required' ? [`${row.path}: no default`] : []),
  ]);
}

test('every field of every model family has a description and a default shown', (t) => {
  t.true(MODEL_NAMES.length >= 5);
  for (const name of MODEL_NAMES) {
    const rows = describeSchema(MODEL_REGISTRY[name].schema);
    t.true(rows.length >= 6, `${name}: ${rows.length} rows`);
    t.deepEqual(undocumented(MODEL_REGISTRY[name].schema), [], name);
    // EMCAD is not on the U-Net skeleton: no baseWidth, downsample, upsample.
    const shared = name === 'emcad' ? ioFields : commonFields;
    for (const common of Object.keys(shared)) t.true(rows.some((r) => r.path === common), `${name} lists ${common}`);
  }
  const msLkSeg = describeSchema(MODEL_REGISTRY['ms-lkseg'].schema).map((r) => r.path);
  for (const path of ['mie.gnGroups', 'ld.largeKernel', 'dyconv.temperature.epochs', 'midm.window']) t.true(msLkSeg.includes(path), path);
});

test('every key of the run config (data, train, eval, seed) has a description and a default shown', (t) => {
  const rows = describeSchema(runSettingsSchema);
  t.deepEqual(rows.filter((r) => !r.path.includes('.')).map((r) => r.path), ['data', 'train', 'eval', 'seed']);
  t.true(rows.length > 30);
  t.deepEqual(undocumented(runSettingsSchema), []);
});

test('a family with an undescribed knob, or one without a default, fails the check', (t) => {
  const schema = z.object({
    model: z.literal('fake').describe('the model family'),
    ...commonFields,
    depth: z.number().int().default(3),
    group: z.object({width: z.number().describe('no default')}).default({width: 1}).describe('a group'),
  }).strict();
  const fake: ModelFamily<z.output<typeof schema>> = {
    name: 'fake', description: 'a fake family', schema, build: () => { throw new Error('not built'); }, ...STATELESS_FAMILY_HOOKS,
  };
  t.deepEqual(undocumented(fake.schema), ['depth: no description', 'group.width: no default']);
});
