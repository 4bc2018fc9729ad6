// mslk's own version and the versions of the packages results depend on (recorded in every manifest).
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);

/** src/version.ts and dist/version.js both sit one level below the package root. */
export const MSLK_VERSION: string = (require('../package.json') as {version: string}).version;

export const TRACKED_PACKAGES = [
  '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-webgpu', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@oclif/core',
] as const;

/** Installed version of a package, or undefined when it is not installed. */
export function installedVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as {version: string}).version;
  } catch {
    return undefined;
  }
}

export function packageVersions(names: readonly string[] = TRACKED_PACKAGES): Record<string, string | null> {
  return Object.fromEntries(names.map((n) => [n, installedVersion(n) ?? null]));
}
