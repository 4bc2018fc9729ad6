// A resumed run continues on the threads it started on, unless the user chose others.
import test from 'ava';
import fc from 'fast-check';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {continuingThreads, recordedNativeThreads} from '../../src/runs/continuing-threads.js';

test('the threads a run recorded: oneDNN\'s while it was active, else none (new, wasm-only or unreadable manifests)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-threads-'));
  try {
    t.is(await recordedNativeThreads(dir), undefined, 'no manifest yet: a new run');
    const cases: [string, number | undefined][] = [
      [JSON.stringify({nativeCpu: {active: true, threads: 1}}), 1],
      [JSON.stringify({nativeCpu: {active: true, threads: 2}, threads: 1}), 2],
      [JSON.stringify({nativeCpu: {active: false, detail: 'switched off'}, threads: 2}), undefined],
      [JSON.stringify({threads: 2}), undefined],
      [JSON.stringify({nativeCpu: {active: true, threads: 0}}), undefined],
      [JSON.stringify({nativeCpu: {active: true, threads: '2'}}), undefined],
      ['{"nativeCpu": {"active": tr', undefined],
    ];
    for (const [text, expected] of cases) {
      await writeFile(join(dir, 'manifest.json'), text);
      t.is(await recordedNativeThreads(dir), expected, text);
    }
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test('a run continues on MSLK_THREADS when the user set it, else on its recorded threads, else on its share', (t) => {
  fc.assert(fc.property(fc.option(fc.integer({min: 1, max: 64}), {nil: undefined}), fc.integer({min: 1, max: 64}),
    fc.option(fc.integer({min: 1, max: 64}), {nil: undefined}), (recorded, share, user) => {
      const env = user === undefined ? {} : {MSLK_THREADS: String(user)};
      return continuingThreads(recorded, share, env) === (user ?? recorded ?? share);
    }));
  t.is(continuingThreads(1, 2, {}), 1);
  t.is(continuingThreads(1, 2, {MSLK_THREADS: '2'}), 2);
  t.is(continuingThreads(undefined, 2, {MSLK_THREADS: 'lots'}), 2, 'an MSLK_THREADS that is not a positive integer is not a choice');
});
