// The rows of a config schema, for listings (`models list`, `config keys`): every field of a zod object schema,
// nested groups included, with its type, default and description, all read from the schema itself, so a listing
// can never drift from what is validated. Descriptions are the fields' `.describe()` texts.
import {z} from 'zod';

/** One field of a config schema. */
export interface SchemaRow {
  /** Dotted key path, e.g. `ld.largeKernel`. */
  path: string;
  /**
   * The accepted values, e.g. `integer > 0 | (integer > 0)[4]` (a number or a list of exactly 4), `'avg' | 'max'`,
   * `integer 1..8` (bounds inclusive), `integer >= 1 | null`; `group` for a mapping of fields.
   */
  type: string;
  /** The default as JSON text; `unset` for an optional field without one; `required` when it must be given. */
  default: string;
  /** The `.describe()` text, or null when the field has none. */
  description: string | null;
  /** True for a mapping of further fields (its fields follow as rows of their own). */
  group: boolean;
}

/** The unwrapped core of a field and what its wrappers said (outermost description and default win). */
interface Unwrapped {
  core: z.ZodTypeAny;
  description: string | null;
  defaultValue: {value: unknown} | null;
  optional: boolean;
  nullable: boolean;
}

function unwrap(schema: z.ZodTypeAny): Unwrapped {
  const out: Unwrapped = {core: schema, description: null, defaultValue: null, optional: false, nullable: false};
  for (let s: z.ZodTypeAny = schema; ; ) {
    out.description ??= s.description ?? null;
    if (s instanceof z.ZodDefault) {
      out.defaultValue ??= {value: s._def.defaultValue()};
      s = s._def.innerType;
    } else if (s instanceof z.ZodOptional) {
      out.optional = true;
      s = s.unwrap();
    } else if (s instanceof z.ZodNullable) {
      out.nullable = true;
      s = s.unwrap();
    } else if (s instanceof z.ZodEffects) {
      s = s.innerType();
    } else if (s instanceof z.ZodReadonly) {
      s = s.unwrap();
    } else {
      out.core = s;
      return out;
    }
  }
}

/** A readable type of a schema: `integer`, `'avg' | 'max'`, `number[4]`, `[number, number, number]`, `integer | null`. */
export function typeText(schema: z.ZodTypeAny): string {
  const {core, nullable} = unwrap(schema);
  const text = coreTypeText(core);
  return nullable ? `${text} | null` : text;
}

function coreTypeText(s: z.ZodTypeAny): string {
  if (s instanceof z.ZodNumber) return numberText(s);
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodLiteral) return JSON.stringify(s.value).replaceAll('"', "'");
  if (s instanceof z.ZodEnum) return (s.options as string[]).map((o) => `'${o}'`).join(' | ');
  if (s instanceof z.ZodUnion) return (s.options as z.ZodTypeAny[]).map(typeText).join(' | ');
  if (s instanceof z.ZodTuple) return `[${(s.items as z.ZodTypeAny[]).map(typeText).join(', ')}]`;
  if (s instanceof z.ZodArray) {
    const element = typeText(s.element);
    const shown = element.includes(' ') ? `(${element})` : element;
    const [exact, min, max] = [s._def.exactLength?.value, s._def.minLength?.value, s._def.maxLength?.value];
    const length = exact ?? (min !== undefined && max !== undefined ? `${min}..${max}` : min !== undefined ? `>=${min}` : max !== undefined ? `<=${max}` : '');
    return `${shown}[${length}]`;
  }
  if (s instanceof z.ZodObject) return 'group';
  if (s instanceof z.ZodRecord) return 'mapping';
  return s._def.typeName ? String(s._def.typeName).replace(/^Zod/, '').toLowerCase() : 'value';
}

/** `integer`, `number`, with its bounds: `integer 1..8`, `number > 0`, `integer >= 1`. */
function numberText(s: z.ZodNumber): string {
  const name = s.isInt ? 'integer' : 'number';
  let min: {value: number; inclusive: boolean} | null = null;
  let max: {value: number; inclusive: boolean} | null = null;
  for (const check of s._def.checks) {
    if (check.kind === 'min') min = {value: check.value, inclusive: check.inclusive};
    if (check.kind === 'max') max = {value: check.value, inclusive: check.inclusive};
  }
  if (min && max && min.inclusive && max.inclusive) return `${name} ${min.value}..${max.value}`;
  const bounds = [min && `${min.inclusive ? '>=' : '>'} ${min.value}`, max && `${max.inclusive ? '<=' : '<'} ${max.value}`].filter(Boolean);
  return [name, bounds.join(', ')].filter(Boolean).join(' ');
}

/**
 * Every field of an object schema (looking through defaults, optionals, nullables and refinements of the schema and
 * of each field), depth first in declaration order: a group's row comes before the rows of its fields.
 * Throws when `schema` is not an object schema.
 */
export function describeSchema(schema: z.ZodTypeAny, prefix = ''): SchemaRow[] {
  const {core} = unwrap(schema);
  if (!(core instanceof z.ZodObject)) throw new Error(`describeSchema: expected an object schema${prefix ? ` at '${prefix}'` : ''}, got ${coreTypeText(core)}`);
  const rows: SchemaRow[] = [];
  for (const [key, field] of Object.entries(core.shape as Record<string, z.ZodTypeAny>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const u = unwrap(field);
    const group = u.core instanceof z.ZodObject;
    rows.push({path, type: typeText(field), default: defaultText(u, group), description: u.description, group});
    if (group) rows.push(...describeSchema(u.core, path));
  }
  return rows;
}

function defaultText(u: Unwrapped, group: boolean): string {
  // A group's default is the defaults of its fields, shown on their own rows.
  if (group) return u.defaultValue ? '{}' : u.optional ? 'unset' : 'required';
  if (u.defaultValue) return JSON.stringify(u.defaultValue.value);
  if (u.core instanceof z.ZodLiteral) return JSON.stringify(u.core.value);
  return u.optional ? 'unset' : 'required';
}

/**
 * The rows as an aligned text table, one line per field (path, type, default, description); a group's line shows
 * its path and description only. Each line starts with `indent`.
 */
export function formatSchemaRows(rows: readonly SchemaRow[], indent = '  '): string[] {
  const fields = rows.filter((r) => !r.group);
  const width = (pick: (r: SchemaRow) => string) => Math.max(0, ...fields.map((r) => pick(r).length));
  const [pathWidth, typeWidth, defaultWidth] = [width((r) => r.path), width((r) => r.type), width((r) => r.default)];
  return rows.map((r) => {
    const description = r.description ?? '(no description)';
    if (r.group) return `${indent}${`${r.path}:`.padEnd(pathWidth)}  ${description}`;
    return `${indent}${r.path.padEnd(pathWidth)}  ${r.type.padEnd(typeWidth)}  ${r.default.padEnd(defaultWidth)}  ${description}`;
  });
}
