// What a user most likely meant by a flag the command does not have, in one line. Run-config knobs are not
// flags (`--epochs 3` is `--set train.epochs=3`), so a flag named like a config key's last segment points to
// --set; otherwise the nearest flag the command does have; otherwise the key whose last segment is nearest;
// otherwise its help. A one-letter short flag (`-e`) is a letter or two from every short name, so it gets no guess.
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
  const short = /^-[^-]/.test(token);
  const head = `unknown flag ${short ? '-' : '--'}${name}`;
  const help = `${head}: see mslk ${context.command} --help`;
  if (short && name.length === 1) return help;
  const key = configKeyForFlag(name, context.setKeys);
  if (key !== undefined) return `${head}: did you mean --set ${key}=${given ?? '<value>'}?`;
  // --set takes key=value: `--set 3` would be a second mistake, not a fix.
  const flags = context.flags.filter((f) => f !== 'set' || given === undefined || given.includes('='));
  const flag = nearestName(name, flags);
  if (flag !== undefined) return `${head}: did you mean --${flag}${given === undefined ? '' : ` ${given}`}?`;
  const nearKey = nearestConfigKey(name, context.setKeys);
  if (nearKey !== undefined) return `${head}: did you mean --set ${nearKey}=${given ?? '<value>'}?`;
  return help;
}

/**
 * The `--set` key whose last segment is nearest to a misspelt flag (`epoch` -> `train.epochs`), by edit distance
 * ignoring case, dashes and underscores (nearestName's threshold); the shortest path among equals.
 */
export function nearestConfigKey(name: string, setKeys: readonly string[]): string | undefined {
  const leafOf = (k: string): string => squash(k.slice(k.lastIndexOf('.') + 1));
  const leaf = nearestName(squash(name), [...new Set(setKeys.map(leafOf))]);
  return leaf === undefined ? undefined : configKeyForFlag(leaf, setKeys);
}
