// Validation of plain config objects against a zod schema, with one-line messages that name the key path:
// unknown keys are rejected with the nearest valid key at that place.
import {z} from 'zod';
import {nearestName} from './nearest-name.js';

/** A config that cannot be used as written (a file, a key, a value, a --set): exit code 2, as for any bad input. */
export class ConfigError extends Error {
  readonly exitCode: number = 2;

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The object schema found at `path` inside `schema`, looking through defaults, optionals and refinements. */
function objectAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): z.AnyZodObject | undefined {
  let s: z.ZodTypeAny = schema;
  for (let i = 0; ; i++) {
    for (;;) {
      if (s instanceof z.ZodDefault) s = s._def.innerType;
      else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
      else if (s instanceof z.ZodEffects) s = s.innerType();
      else break;
    }
    if (i === path.length) return s instanceof z.ZodObject ? s : undefined;
    const key = path[i]!;
    if (s instanceof z.ZodObject && typeof key === 'string') s = s.shape[key];
    else if (s instanceof z.ZodArray) s = s.element;
    else return undefined;
    if (s === undefined) return undefined;
  }
}

function formatPath(prefix: string, path: readonly (string | number)[]): string {
  return [prefix, ...path].filter((p) => p !== '').join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

export function describeIssue(schema: z.ZodTypeAny, issue: z.ZodIssue, prefix = ''): string {
  if (issue.code === 'unrecognized_keys') {
    const valid = Object.keys(objectAt(schema, issue.path)?.shape ?? {});
    const key = issue.keys[0]!;
    const near = nearestName(key, valid);
    const where = formatPath(prefix, issue.path);
    return `unknown key '${formatPath(where, [key])}'${near ? `: did you mean '${formatPath(where, [near])}'?` : ''}`;
  }
  const where = formatPath(prefix, issue.path);
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Parses `raw` or throws ConfigError with the first problem in one line. */
export function parseWithSchema<S extends z.ZodTypeAny>(schema: S, raw: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
  throw new ConfigError(describeIssue(schema, issue, prefix));
}
