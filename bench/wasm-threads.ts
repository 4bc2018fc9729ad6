// Issue #14's first measurement: does tfjs-backend-wasm's threaded SIMD build (XNNPACK on a pthreadpool) run in
// Node, and what does a second thread gain? Records where TF.js's own path fails (the multithread flag forced),
// then times, alternating round by round, the plain SIMD build (1 thread, mslk's wasm path) against the threaded
// SIMD build on 1 and 2 threads (loaded through the shim in wasm-threaded-simd.ts), each in its own process
// (wasm-threads-child.ts), and checks that every build computes the same as the plain one (max abs difference).
// The oneDNN path is switched off in every child (MSLK_NATIVE=off): the point is XNNPACK's own scaling.
//   node --import=tsx bench/wasm-threads.ts [--cases conv-128x16 conv-32x64 matmul unet-step] [--rounds 5] [--threads 2]
// Prints per case and build: the median over rounds of each round's median ms, the speed-up against the plain
// build, GFLOP/s (2 FLOPs per multiply-add; a U-Net step counted as 3 forward passes), CPU time per wall time
// (capped by what a loaded machine grants), the threads that did at least a third of the busiest one's work (from
// /proc, independent of load), and the max abs difference from the plain build's output.
import {fork, type ChildProcess} from 'node:child_process';
import {availableParallelism} from 'node:os';
import {fileURLToPath} from 'node:url';
import {createRequire} from 'node:module';
import {listArg} from './args.js';
import {CASES, type ChildReply, type ChildRequest} from './wasm-threads-protocol.js';

/** A build of the backend in one child process. */
interface Variant {
  label: string;
  build: 'simd' | 'threaded' | 'stock';
  threads: number;
}

/** How long a child may take to load its module and pass the self-check before it counts as hung. */
const READY_TIMEOUT_MS = 180_000;
/** Timed runs per request: each round's number is the median of these. */
const RUNS_PER_ROUND: Record<string, number> = {'conv-128x16': 5, 'conv-32x64': 5, matmul: 3, 'unet-step': 2};

const CHILD_SCRIPT = fileURLToPath(new URL('./wasm-threads-child.ts', import.meta.url));

/** A child process with one outstanding request at a time. */
class Child {
  private readonly process: ChildProcess;
  private pending: ((reply: ChildReply) => void) | undefined;
  private exited: string | undefined;

  constructor(readonly variant: Variant) {
    this.process = fork(CHILD_SCRIPT, ['--build', variant.build, '--threads', String(variant.threads)], {
      execArgv: ['--import=tsx'],
      env: {...process.env, MSLK_NATIVE: 'off'},
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    // A child that failed exits on its own; a late 'exit' request to it must not crash the driver (EPIPE).
    this.process.on('error', () => undefined);
    let stderr = '';
    this.process.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    this.process.on('message', (reply: ChildReply) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(reply);
    });
    this.process.on('exit', (code, signal) => {
      const last = stderr.trim().split('\n').filter((line) => !/^\s+at /.test(line)).at(-1) ?? '';
      this.exited = `exited (${signal ?? `code ${code}`})${last ? `: ${last.slice(0, 300)}` : ''}`;
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.({type: 'failed', stage: 'running', message: this.exited});
    });
  }

  /** The next reply, or a 'failed' one when the child exits or stays silent for `timeoutMs`. */
  next(timeoutMs = Infinity): Promise<ChildReply> {
    if (this.exited !== undefined) return Promise.resolve({type: 'failed', stage: 'running', message: this.exited});
    return new Promise((resolve) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.pending = undefined;
            resolve({type: 'failed', stage: 'loading the module', message: `no reply within ${timeoutMs / 1000} s`});
          }, timeoutMs)
        : undefined;
      this.pending = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
  }

  /** Sends a request and waits for its reply; throws a one-line error when the child failed. */
  async ask(request: ChildRequest): Promise<ChildReply> {
    const reply = this.next();
    this.process.send(request);
    const answer = await reply;
    if (answer.type === 'failed') throw new Error(`${this.variant.label}: ${answer.message}`);
    return answer;
  }

  close(): void {
    if (this.exited === undefined && this.process.connected) this.process.send({type: 'exit'} satisfies ChildRequest, () => undefined);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const maxAbsDifference = (a: Float32Array, b: Float32Array): number => {
  if (a.length !== b.length) return Number.NaN;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
};

const maxAbs = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

async function main(): Promise<void> {
  const cases = listArg('cases', Object.keys(CASES));
  for (const name of cases) if (CASES[name] === undefined) throw new Error(`unknown case '${name}': use one of ${Object.keys(CASES).join(', ')}`);
  const rounds = Number(listArg('rounds', ['5'])[0]);
  const threads = Number(listArg('threads', [String(availableParallelism())])[0]);
  const version = (createRequire(import.meta.url)('@tensorflow/tfjs-backend-wasm/package.json') as {version: string}).version;
  console.log(`tfjs-backend-wasm ${version}, Node ${process.version}, ${availableParallelism()} cores, MSLK_NATIVE=off; ${rounds} rounds, builds alternating within each round`);

  // TF.js's own threaded path, flag forced: expected to fail; its error is the record of why the shim exists.
  const stock = new Child({label: 'stock threaded path (WASM_HAS_MULTITHREAD_SUPPORT forced)', build: 'stock', threads});
  const stockReply = await stock.next(READY_TIMEOUT_MS);
  stock.close();
  console.log(stockReply.type === 'failed'
    ? `${stock.variant.label}: fails at ${stockReply.stage}: ${stockReply.message}`
    : `${stock.variant.label}: loads (${stockReply.type === 'ready' ? stockReply.threads : '?'} threads)`);

  const variants: Variant[] = [
    {label: 'SIMD, 1 thread', build: 'simd', threads: 1},
    {label: 'threaded SIMD, 1 thread', build: 'threaded', threads: 1},
    {label: `threaded SIMD, ${threads} threads`, build: 'threaded', threads},
  ];
  const children: Child[] = [];
  try {
    for (const variant of variants) {
      const child = new Child(variant);
      const ready = await child.next(READY_TIMEOUT_MS);
      if (ready.type !== 'ready') {
        child.close();
        console.log(`${variant.label}: fails at ${ready.type === 'failed' ? `${ready.stage}: ${ready.message}` : `an unexpected '${ready.type}' reply`}`);
        if (variant.build === 'simd') throw new Error('the plain SIMD build did not load: nothing to compare against');
        console.log('  needed: a worker script Node can start (a file path, not a blob: URL), the main script as a file for the worker to import, and a pool not capped at cores / 2');
        continue;
      }
      console.log(`${variant.label}: loaded, XNNPACK threads ${ready.threads}, gradient self-check error against cpu ${ready.selfCheckError.toExponential(2)}`);
      children.push(child);
    }
    const base = children.find((c) => c.variant.build === 'simd')!;

    console.log('\ncase\tbuild\tms (median of rounds)\tmin..max of round medians\tspeed-up vs SIMD 1 thread\tGFLOP/s\tCPU/wall\tbusy threads\tmax abs diff vs SIMD (max |value|)');
    for (const name of cases) {
      const spec = CASES[name]!;
      const perRound = new Map<Child, number[]>(children.map((c) => [c, []]));
      const cpuPerWall = new Map<Child, number[]>(children.map((c) => [c, []]));
      const busy = new Map<Child, number[]>(children.map((c) => [c, []]));
      let gflop: number | null = null;
      for (let round = 0; round < rounds; round++) {
        // Rotate the order so that no build always runs first (warmer caches, or a quieter machine).
        const order = children.map((_, i) => children[(i + round) % children.length]!);
        for (const child of order) {
          const reply = await child.ask({type: 'time', caseName: name, runs: RUNS_PER_ROUND[name] ?? 3});
          if (reply.type !== 'time') continue;
          perRound.get(child)!.push(median(reply.ms));
          cpuPerWall.get(child)!.push(reply.cpuMs.reduce((a, b) => a + b, 0) / reply.ms.reduce((a, b) => a + b, 0));
          if (reply.busyThreads !== null) busy.get(child)!.push(reply.busyThreads);
          gflop = reply.gflop;
        }
      }
      const results = new Map<Child, Float32Array>();
      for (const child of children) {
        const reply = await child.ask({type: 'result', caseName: name});
        if (reply.type === 'result') results.set(child, reply.values);
      }
      const baseMs = median(perRound.get(base)!);
      const reference = results.get(base)!;
      for (const child of children) {
        const ms = median(perRound.get(child)!);
        const values = results.get(child)!;
        const diff = child === base ? '-' : `${maxAbsDifference(values, reference).toExponential(2)} (${maxAbs(reference).toFixed(2)})`;
        const gflops = gflop === null ? '-' : (gflop / (ms / 1000)).toFixed(1);
        const spread = `${Math.min(...perRound.get(child)!).toFixed(1)}..${Math.max(...perRound.get(child)!).toFixed(1)}`;
        const cpu = median(cpuPerWall.get(child)!).toFixed(2);
        const busyThreads = busy.get(child)!.length > 0 ? String(Math.max(...busy.get(child)!)) : '-';
        console.log([spec.label, child.variant.label, ms.toFixed(1), spread, (baseMs / ms).toFixed(2), gflops, cpu, busyThreads, diff].join('\t'));
      }
    }
  } finally {
    for (const child of children) child.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`wasm-threads: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exitCode = 1;
}
