#!/usr/bin/env -S node --import=tsx --no-warnings
// Runs the TypeScript sources directly (no build step): `./bin/dev.js doctor`.
import {execute} from '@oclif/core';

await execute({development: true, dir: import.meta.url});
