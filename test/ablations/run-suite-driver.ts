// A stand-in for `mslk ablate` in the executor's process tests: reads a plan (JSON file), runs it with runSuite,
// prints one JSON line per event and the summary last; stops cleanly on SIGINT/SIGTERM.
// Usage: node --import=tsx test/ablations/run-suite-driver.ts <plan.json> <jobs> <data-root>
import {readFile} from 'node:fs/promises';
import {runSuite} from '../../src/ablations/local-executor.js';
import type {SuitePlan} from '../../src/ablations/plan.js';
import {stopOnSignals} from '../../src/cli/interrupt.js';

const [planFile, jobs, dataRoot] = process.argv.slice(2);
const plan = JSON.parse(await readFile(planFile!, 'utf8')) as SuitePlan;
const interrupt = stopOnSignals();
const summary = await runSuite(plan, {
  jobs: Number(jobs), dataRoot: dataRoot!, signal: interrupt.signal, pollMs: 300,
  onEvent: (event) => process.stdout.write(JSON.stringify(event) + '\n'),
});
interrupt.dispose();
process.stdout.write(JSON.stringify({type: 'summary', ...summary}) + '\n');
process.exitCode = summary.failed.length > 0 ? 1 : summary.partial.length > 0 ? 130 : 0;
