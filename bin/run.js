#!/usr/bin/env node
// Runs the compiled CLI from dist/ (built by `npm install` through the `prepare` script).
import {execute} from '@oclif/core';

await execute({dir: import.meta.url});
