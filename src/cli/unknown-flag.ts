// What a user most likely meant by a flag the command does not have, in one line. Run-config knobs are not
// flags (`--epochs 3` is `--set train.epochs=3`), so a flag named like a config key's last segment points to
// --set; otherwise the nearest flag the command does have; otherwise its help.
import {nearestName} from '../config/nearest-name.js';

export interface UnknownFlagContext {
  /** The command as typed, e.g. 'train' or 'models profile'. */
  command: string;
  /** The command's own flag names, without dashes. */
  flags: readonly string[];
  /** Dotted key paths `--set` accepts on this command (empty when it has no --set). */
  setKeys: readonly string[];
}

/** 'batch-size' and 'batch_size' -> 'batchsize': config keys are camelCase, flags kebab-case. */
function squash(name: string): string {
  return name.replace(/[-_]/g, '').toLowerCase();
}

/** Splits an unknown flag token ('--epochs=3', '--epochs', '-e') into its name and inline value. */
export function splitFlagToken(token: string): {name: string; value?: string} {
  const bare = token.replace(/^-+/, '');
  const eq = bare.indexOf('=');
  return eq < 0 ? {name: bare} : {name: bare.slice(0, eq), value: bare.slice(eq + 1)};
}

/**
 * The `--set` key an unknown flag stands for: the key whose last segment equals the flag's name (ignoring case,
 * dashes and underscores), the shortest such path when several share it (`seed` before `data.split.seed`).
 */
export function configKeyForFlag(name: string, setKeys: readonly string[]): string | undefined {
  const wanted = squash(name);
  const matches = setKeys.filter((k) => squash(k.slice(k.lastIndexOf('.') + 1)) === wanted);
  return matches.sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b))[0];
}

/**
 * The one line printed for an unknown flag, e.g. `unknown flag --epochs: did you mean --set train.epochs=3?`.
 * @param token the flag as typed ('--epochs' or '--epochs=3')
 * @param value the token after it, when it is not itself a flag (the value the user meant to give)
 */
export function unknownFlagMessage(token: string, value: string | undefined, context: UnknownFlagContext): string {
  const {name, value: inline} = splitFlagToken(token);
  const given = inline ?? value;
  const head = `unknown flag --${name}`;
  const key = configKeyForFlag(name, context.setKeys);
  if (key !== undefined) return `${head}: did you mean --set ${key}=${given ?? '<value>'}?`;
  const flag = nearestName(name, context.flags);
  if (flag !== undefined) return `${head}: did you mean --${flag}${given === undefined ? '' : ` ${given}`}?`;
  return `${head}: see mslk ${context.command} --help`;
}
