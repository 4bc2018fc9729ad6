// The rows of a schema: paths depth first, types and defaults read from the schema (enums never retyped),
// descriptions from .describe(), looking through defaults, optionals, nullables, refinements and unions.
import test from 'ava';
import {z} from 'zod';
import {describeSchema, formatSchemaRows, typeText} from '../../src/config/describe-schema.js';

const odd = z.number().int().positive().refine((k) => k % 2 === 1);
const small = z.object({
  kind: z.literal('demo').describe('the family'),
  width: z.number().int().min(1).max(8).default(2).describe('blocks'),
  kernel: z.union([odd, z.array(odd).length(4)]).default(21).describe('one kernel or four'),
  pool: z.enum(['avg', 'max']).default('avg').describe('pooling'),
  window: z.number().int().min(1).nullable().default(7).describe('window (null = global)'),
  ratios: z.tuple([z.number(), z.number()]).optional().describe('two numbers'),
  name: z.string().describe('required text'),
  inner: z.object({
    on: z.boolean().default(true).describe('switch'),
    rate: z.number().gt(0).lt(1).default(0.5),
  }).strict().default({}).describe('a group'),
}).strict().superRefine(() => undefined);

test('rows of a small schema: path, type, default (JSON), description, groups before their fields', (t) => {
  t.deepEqual(describeSchema(small), [
    {path: 'kind', type: "'demo'", default: '"demo"', description: 'the family', group: false},
    {path: 'width', type: 'integer 1..8', default: '2', description: 'blocks', group: false},
    {path: 'kernel', type: 'integer > 0 | (integer > 0)[4]', default: '21', description: 'one kernel or four', group: false},
    {path: 'pool', type: "'avg' | 'max'", default: '"avg"', description: 'pooling', group: false},
    {path: 'window', type: 'integer >= 1 | null', default: '7', description: 'window (null = global)', group: false},
    {path: 'ratios', type: '[number, number]', default: 'unset', description: 'two numbers', group: false},
    {path: 'name', type: 'string', default: 'required', description: 'required text', group: false},
    {path: 'inner', type: 'group', default: '{}', description: 'a group', group: true},
    {path: 'inner.on', type: 'boolean', default: 'true', description: 'switch', group: false},
    {path: 'inner.rate', type: 'number > 0, < 1', default: '0.5', description: null, group: false},
  ]);
});

test('a description given before .default() is kept; enum values come from the schema', (t) => {
  const s = z.object({mode: z.enum(['a', 'b', 'c']).describe('inner text').default('b')});
  t.deepEqual(describeSchema(s), [{path: 'mode', type: "'a' | 'b' | 'c'", default: '"b"', description: 'inner text', group: false}]);
  t.is(typeText(z.array(z.number().int()).min(1).max(3)), 'integer[1..3]');
});

test('only object schemas have rows', (t) => {
  t.throws(() => describeSchema(z.number()), {message: /expected an object schema/});
});

test('formatted rows are aligned and show every field', (t) => {
  const lines = formatSchemaRows(describeSchema(small), '');
  t.is(lines.length, 10);
  t.regex(lines[7]!, /^inner: +a group$/);
  t.regex(lines[9]!, /^inner\.rate +number > 0, < 1 +0\.5 +\(no description\)$/);
  const typeColumn = lines.filter((l, i) => i !== 7).map((l) => l.search(/ (integer|number|string|boolean|'|\[)/));
  t.true(typeColumn.every((c) => c === typeColumn[0]), 'the type column starts at the same place on every line');
});
