// Layering: lower layers never import higher ones. src/engine (backends, kernels, doctor) must not depend on
// src/datasets (the command resolves the data root and passes a path), and src/models must not depend on the
// command line (src/commands, src/cli).
import test from 'ava';
import fg from 'fast-glob';
import {readFile} from 'node:fs/promises';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every relative module specifier of a TypeScript file (static imports, re-exports, dynamic imports). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
    found.push((m[1] ?? m[2] ?? m[3])!);
  }
  return found;
}

/** Files under `from` importing anything under one of `forbidden` (folders relative to src/), as "file -> target". */
async function violations(from: string, forbidden: string[]): Promise<string[]> {
  const files = await fg(`src/${from}/**/*.ts`, {cwd: root});
  assertSomeFiles(files, from);
  const out: string[] = [];
  for (const file of files) {
    for (const spec of specifiers(await readFile(join(root, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = relative(join(root, 'src'), resolve(root, dirname(file), spec));
      if (forbidden.some((f) => target === f || target.startsWith(`${f}/`))) out.push(`${file} -> ${spec}`);
    }
  }
  return out;
}

function assertSomeFiles(files: string[], from: string): void {
  if (files.length === 0) throw new Error(`no files under src/${from}: the layering test would check nothing`);
}

test('the import scanner sees static, re-exported and dynamic imports', (t) => {
  t.deepEqual(specifiers("import {a} from '../datasets/x.js';\nexport {b} from './b.js';\nconst c = await import('../cli/c.js');\nimport './side.js';"),
    ['../datasets/x.js', './b.js', '../cli/c.js', './side.js']);
});

test('src/engine does not import src/datasets', async (t) => {
  t.deepEqual(await violations('engine', ['datasets']), []);
});

test('src/models does not import src/commands or src/cli', async (t) => {
  t.deepEqual(await violations('models', ['commands', 'cli']), []);
});
