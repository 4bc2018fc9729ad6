// `key.path=value` assignments (`--set`, and a suite's overrides): the value is YAML, so numbers, booleans, null,
// [lists] and {mappings} need no quoting. Every error is one line that repeats the assignment and its source.
import {parse as parseYaml} from 'yaml';
import {parseKeyPath, setAtKeyPath, type PlainConfig} from './key-path.js';
import {ConfigError} from './parse.js';
import {escapeInvisible} from './visible-text.js';

export interface Assignment {
  /** The key path, segments checked by parseKeyPath. */
  path: string[];
  /** The parsed YAML value. */
  value: unknown;
}

export interface AssignmentOptions {
  /** Names where the assignment came from in messages: `--set` (default), or e.g. `suite.yaml: set`. */
  source?: string;
}

/** yaml's message without its position (the value is one short line): "Flow sequence must end with a ]". */
function yamlReason(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const reason = line.replace(/ at line \d+, column \d+:?\s*$/, '').trim();
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

/**
 * `assignment` without the line ends a script can leave on it: a CRLF script passes `train.epochs=2\r`, whose CR
 * would make the value the string '2\r' (or keep it in a dataset's name). Only CR and LF are dropped, only at the
 * end: other whitespace may be part of a quoted value.
 */
export function withoutLineEnd(assignment: string): string {
  return assignment.replace(/[\r\n]+$/, '');
}

/**
 * Parses `a.b.c=value` (trailing CR/LF dropped, see withoutLineEnd). Throws ConfigError (one line naming the source
 * and the assignment, control and invisible characters escaped) when there is no `=`, the key is empty or has an
 * empty, reserved or invisible-character segment, or the value is not valid YAML.
 */
export function parseAssignment(given: string, options: AssignmentOptions = {}): Assignment {
  const assignment = withoutLineEnd(given);
  const where = escapeInvisible(`${options.source ?? '--set'} ${assignment}`);
  const eq = assignment.indexOf('=');
  if (eq < 0) throw new ConfigError(`${where}: expected key.path=value (e.g. train.epochs=3)`);
  const key = assignment.slice(0, eq);
  if (key.trim() === '') throw new ConfigError(`${where}: the key before '=' is empty: expected key.path=value (e.g. train.epochs=3)`);
  const path = parseKeyPath(key, where);
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${where}: the value '${escapeInvisible(text)}' is not valid YAML (${yamlReason(error)}): quote it or fix it`);
  }
  return {path, value};
}

/**
 * Applies one `a.b.c=value` override to `target` in place. With `within`, a leading segment of that name is dropped
 * (`model.baseWidth=8` on a model config). Throws ConfigError as parseAssignment and setAtKeyPath do.
 */
export function applyOverride(target: PlainConfig, assignment: string, options: AssignmentOptions & {within?: string} = {}): void {
  const {path, value} = parseAssignment(assignment, options);
  const inner = options.within !== undefined && path.length > 1 && path[0] === options.within ? path.slice(1) : path;
  setAtKeyPath(target, inner, value, escapeInvisible(`${options.source ?? '--set'} ${withoutLineEnd(assignment)}`));
}
