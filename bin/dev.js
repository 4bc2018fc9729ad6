#!/usr/bin/env -S node --import=tsx --no-warnings
// Runs the TypeScript sources directly (no build step): `./bin/dev.js doctor`. tsx (loaded by the shebang)
// transpiles; oclif is pointed at src/commands instead of dist/commands. Errors stay one line as in the
// built CLI (MSLK_DEBUG=1 shows stacks).
import {execute} from '@oclif/core';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
pjson.oclif = {...pjson.oclif, commands: './src/commands'};
await execute({dir: import.meta.url, loadOptions: {root, pjson}});
