// Where datasets live: --data-root, else MSLK_DATA_ROOT, else <user cache>/mslk/datasets.
import {homedir} from 'node:os';
import {join, resolve} from 'node:path';

export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'mslk', 'datasets');
}

export function resolveDataRoot(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env['MSLK_DATA_ROOT'] ?? defaultDataRoot(env));
}
