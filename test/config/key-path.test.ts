import test from 'ava';
import fc from 'fast-check';
import {FORBIDDEN_KEYS, parseKeyPath, setAtKeyPath} from '../../src/config/key-path.js';
import {applyOverride} from '../../src/config/overrides.js';
import {ConfigError} from '../../src/config/parse.js';

const reserved = fc.constantFrom(...FORBIDDEN_KEYS);
const ordinary = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((s) => !FORBIDDEN_KEYS.has(s));
/** A key path with at least one reserved segment somewhere. */
const poisonedPath = fc.tuple(fc.array(ordinary, {maxLength: 3}), reserved, fc.array(fc.oneof(ordinary, reserved), {maxLength: 3}))
  .map(([before, bad, after]) => [...before, bad, ...after]);

/** Names Object.prototype has: any change to it shows here. */
const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

test('property: a path with __proto__, constructor or prototype is refused everywhere and Object.prototype stays clean', (t) => {
  const names = prototypeNames();
  fc.assert(fc.property(poisonedPath, fc.jsonValue(), (path, value) => {
    const dotted = path.join('.');
    const target: Record<string, unknown> = {data: {split: {}}};
    const before = JSON.stringify(target);
    for (const attempt of [
      () => applyOverride(target, `${dotted}=${JSON.stringify(value)}`),
      () => applyOverride(target, `model.${dotted}=1`, {within: 'model'}),
      () => parseKeyPath(dotted, 'suite.yaml'),
      () => setAtKeyPath(target, path, value, 'suite.yaml'),
    ]) {
      let error: unknown;
      try {
        attempt();
      } catch (caught) {
        error = caught;
      }
      if (!(error instanceof ConfigError) || !/reserved name/.test(error.message) || error.message.includes('\n')) return false;
    }
    return JSON.stringify(target) === before && prototypeNames().join() === names.join() && !('x' in {});
  }));
  t.deepEqual(prototypeNames(), names);
});

test('property: ordinary paths set exactly the value at the path, through own keys only', (t) => {
  fc.assert(fc.property(fc.array(ordinary, {minLength: 1, maxLength: 4}), fc.integer(), (path, value) => {
    const target: Record<string, unknown> = {};
    setAtKeyPath(target, path, value, '--set');
    let node: unknown = target;
    for (const key of path) node = (node as Record<string, unknown>)[key];
    return node === value;
  }));
  const target: Record<string, unknown> = {};
  setAtKeyPath(target, ['toString', 'x'], 1, '--set');
  t.deepEqual(target, {toString: {x: 1}});
});

test("the issue's example: --set __proto__.x=1 names the reserved segment and writes nothing", (t) => {
  const target: Record<string, unknown> = {};
  t.throws(() => applyOverride(target, '__proto__.x=1'), {
    instanceOf: ConfigError,
    message: "--set __proto__.x=1: '__proto__', a reserved name that reaches the object prototype, not a setting: remove or rename it",
  });
  t.false('x' in {});
  t.deepEqual(target, {});
});
