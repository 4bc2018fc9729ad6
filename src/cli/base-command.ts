// The base of every mslk command: `--json` everywhere, and failures as one line naming the problem (never a
// stack trace, never the whole usage; set MSLK_DEBUG=1 to see a stack).
import {resolve, sep} from 'node:path';
import {Command, Errors} from '@oclif/core';
import {escapeInvisible} from '../config/visible-text.js';
import {OutputDirError} from '../io/output-dir.js';
import {BadPathError} from './flags.js';
import {unknownFlagMessage} from './unknown-flag.js';

/** Exit code of a command line that cannot be run as typed (unknown flag, bad flag value, missing argument). */
export const USAGE_EXIT_CODE = 2;

/** oclif's parse errors (not exported by @oclif/core): recognised by their shape. */
interface ParseErrorShape {
  parse?: unknown;
  flags?: unknown;
}

function isUnknownFlagsError(error: Error): error is Error & {flags: string[]} {
  const e = error as Error & ParseErrorShape;
  return error instanceof Errors.CLIError && Array.isArray(e.flags) && /^Nonexistent flags?:/.test(error.message);
}

/** An error of oclif's parser: a CLIParseError (it carries `parse`), or a flag's parse function failing. */
function isParseError(error: Error): boolean {
  return (error instanceof Errors.CLIError && (error as Error & ParseErrorShape).parse !== undefined) || /^Parsing --/.test(error.message);
}

/**
 * oclif's multi-line parse messages on one line: "Parsing --size \n\tExpected an integer..." -> "--size: Expected
 * an integer...", "The following error occurred:\n  Missing required flag name" -> "Missing required flag name",
 * without "See more help with --help" and colour codes.
 */
export function compactParseMessage(message: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = message.replace(/\u001B\[[0-9;]*m/g, '').split('\n').map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'See more help with --help');
  const [first = '', ...rest] = lines;
  const parsing = /^Parsing (--\S+)$/.exec(first);
  if (parsing) return `${parsing[1]}: ${rest.join('; ')}`;
  if (/^The following errors? occurred:$/.test(first)) return rest.join('; ');
  return [first, ...rest].join('; ');
}

/**
 * Node's errno text inside a message that wrapped it ("cannot read the split file: EISDIR: illegal operation on a
 * directory, read"), in words that say what to do instead.
 */
export function plainErrno(message: string): string {
  return message
    .replace(/EISDIR: illegal operation on a directory(, \w+)?( '[^']*')?/, 'is a directory where a file is expected; pass a file path')
    .replace(/ENOTDIR: not a directory(, \w+)?( '[^']*')?/, 'part of the path is a file where a folder is expected; pass a path inside a folder');
}

export abstract class MslkCommand extends Command {
  static override enableJsonFlag = true;

  /**
   * Dotted keys the command's `--set` accepts (commands with --set declare it): an unknown flag named like one
   * of them is answered with `--set <key>=<value>`.
   */
  static setKeys?: () => Promise<readonly string[]>;

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof Errors.ExitError) return super.catch(error);
    if (process.env['MSLK_DEBUG']) this.logToStderr(error.stack ?? String(error));
    const line = await this.oneLine(error);
    if (line !== undefined) return this.fail(line.text, line.exit);
    const exit = error instanceof Errors.CLIError ? (error.oclif?.exit ?? 1) : (error.exitCode ?? 1);
    return this.fail(plainErrno((error.message || String(error)).split('\n')[0]!), exit);
  }

  /**
   * Ends the command with `text` as its one error line and exit code `exit`. oclif would wrap the line at 80
   * columns when stderr is not a terminal (logs, pipes, CI, a cluster's job output), so it is written here whole.
   * Control and invisible characters that came from the input (a CR from a CRLF script, a zero-width space) are
   * written escaped (`\r`, `\u200b`): raw, a CR would hide the start of the line and the others would not show.
   */
  private async fail(given: string, exit: number): Promise<unknown> {
    const text = escapeInvisible(given);
    const error = new Errors.CLIError(text, {exit});
    // Under --json oclif takes the exit code from process.exitCode, not from the error.
    process.exitCode = exit;
    if (this.jsonEnabled()) return super.catch(error);
    process.stderr.write(`Error: ${text}\n`);
    (error as Errors.CLIError & {skipOclifErrorHandling?: boolean}).skipOclifErrorHandling = true;
    throw error;
  }

  /** Under --json an error is `{error: {name, message, exit}}`: one line, not oclif's dump of the parser state. */
  protected override toErrorJson(error: unknown): unknown {
    const e = error as Error & {oclif?: {exit?: number}};
    return {error: {name: e.name, message: e.message, exit: e.oclif?.exit ?? 1}};
  }

  /** The one line (and exit code) for the errors mslk rewords; undefined for the others. */
  private async oneLine(error: Error): Promise<{text: string; exit: number} | undefined> {
    if (error instanceof BadPathError) return {text: error.line, exit: USAGE_EXIT_CODE};
    if (error instanceof OutputDirError) {
      // Named after the flag or argument whose path it is, when the command line has one.
      const owner = this.ownerOf(error.path);
      return {text: owner && owner.label !== 'argument' && resolve(owner.value) === resolve(error.path) ? `${owner.label} ${error.message}` : error.message, exit: USAGE_EXIT_CODE};
    }
    if (isUnknownFlagsError(error)) return {text: await this.unknownFlagLine(error.flags[0] ?? ''), exit: USAGE_EXIT_CODE};
    if (isParseError(error)) {
      // "Missing 1 required arg:" lists the arguments on the following lines: name them on the one line.
      const args = (error as Error & {args?: unknown}).args;
      const names = Array.isArray(args) ? args.map((a: {name?: unknown}) => a.name).filter((n): n is string => typeof n === 'string') : [];
      const text = names.length ? `${error.message.split('\n')[0]!.replace(/:$/, '')}: ${names.join(', ')}` : compactParseMessage(error.message);
      return {text: `${text}; see mslk ${this.commandName()} --help`, exit: USAGE_EXIT_CODE};
    }
    const fsError = error as Error & {code?: string; path?: string};
    if ((fsError.code === 'EISDIR' || fsError.code === 'ENOTDIR') && typeof fsError.path === 'string') {
      return {text: this.pathKindLine(fsError.code, fsError.path), exit: 1};
    }
    return undefined;
  }

  private commandName(): string {
    return (this.id ?? '').replaceAll(':', ' ');
  }

  private async unknownFlagLine(token: string): Promise<string> {
    const ctor = this.constructor as typeof MslkCommand;
    const flags = Object.keys(ctor.flags ?? {});
    const position = this.argv.findIndex((a) => a === token);
    const next = position >= 0 ? this.argv[position + 1] : undefined;
    const value = next !== undefined && !next.startsWith('-') ? next : undefined;
    const setKeys = ctor.setKeys ? await ctor.setKeys() : [];
    return unknownFlagMessage(token, value, {command: this.commandName(), flags, setKeys});
  }

  /**
   * The flag or argument of the command line whose value is `path` or contains it (or lies under it), from the
   * raw tokens: `--out x`, `--out=x` or a positional `x`.
   */
  private ownerOf(path: string): {label: string; value: string} | undefined {
    const target = resolve(path);
    const tokens = this.argv.flatMap((token, i) => {
      const inline = /^(--?[^=\s]+)=(.*)$/.exec(token);
      if (inline) return [{label: inline[1]!, value: inline[2]!}];
      if (token.startsWith('-')) return [];
      const previous = this.argv[i - 1];
      return [{label: previous?.startsWith('-') ? previous : 'argument', value: token}];
    });
    return tokens.find(({value}) => {
      const mine = resolve(value);
      return mine === target || target.startsWith(mine + sep) || mine.startsWith(target + sep);
    });
  }

  /** EISDIR/ENOTDIR from deep inside a command, in terms of the flag or argument whose path it was. */
  private pathKindLine(code: 'EISDIR' | 'ENOTDIR', path: string): string {
    const owner = this.ownerOf(path);
    const what = owner ? `${owner.label} ${owner.value}` : path;
    return code === 'EISDIR'
      ? `${what}: ${path} is a directory where a file is expected; pass a file path`
      : `${what}: part of ${path} is a file where a folder is expected; pass a path inside a folder`;
  }
}
