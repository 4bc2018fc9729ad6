// Builds the optional oneDNN addon (native/dnnl) with node-gyp. Run by `npm install` (the `install` script) and by
// `npm run build:native`. It never fails the install: without Debian's libdnnl-dev, a compiler or Node's headers it
// says what is missing in one line, and mslk runs every kernel on the wasm path (`mslk doctor` says which runs).
// MSLK_NATIVE=off skips the build.
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = join(root, 'native', 'dnnl');
const strict = process.argv.includes('--strict');

function done(message, ok) {
  console.error(`mslk: ${message}`);
  process.exit(ok || !strict ? 0 : 1);
}

if (['off', '0', 'false', 'no'].includes((process.env.MSLK_NATIVE ?? '').trim().toLowerCase())) {
  done('oneDNN addon not built (MSLK_NATIVE=off): convolutions run on wasm, one thread', true);
}
if (!existsSync('/usr/include/oneapi/dnnl/dnnl.hpp') && !existsSync('/usr/local/include/oneapi/dnnl/dnnl.hpp')) {
  done('oneDNN addon not built: Debian\'s libdnnl-dev is not installed (apt-get install libdnnl-dev, then npm run build:native); convolutions run on wasm, one thread', false);
}

// node-gyp: the one npm runs lifecycle scripts with, else the one bundled with npm next to this node.
function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(npmCli)) return npmCli;
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

const gyp = nodeGyp();
if (gyp === null) done('oneDNN addon not built: node-gyp was not found (it comes with npm); convolutions run on wasm, one thread', false);
// Node's own headers where the distribution installs them (Debian: /usr/include/node), so node-gyp never downloads.
const args = [gyp, 'rebuild'];
if (!process.env.npm_config_nodedir && existsSync(join(dirname(process.execPath), '..', 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${join(dirname(process.execPath), '..')}`);
}
const result = spawnSync(process.execPath, args, {cwd: addonDir, encoding: 'utf8'});
if (result.status !== 0) {
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => /error|ERR!/.test(l) && !/gyp ERR! (cwd|node -v|node-gyp -v|command|System|not ok)/.test(l));
  done(`oneDNN addon build failed (${(lines[0] ?? `node-gyp exited with ${result.status}`).trim()}); convolutions run on wasm, one thread`, false);
}
done('oneDNN addon built (native/dnnl/build/Release/mslk_dnnl.node): convolutions run on oneDNN, on every core', true);
