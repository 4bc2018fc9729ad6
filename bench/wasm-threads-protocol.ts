// What bench/wasm-threads.ts and its children (wasm-threads-child.ts) say to each other, and the cases they
// measure; kept apart so that the driver loads no TF.js itself.

/** A request from the driver. */
export type ChildRequest = {type: 'time'; caseName: string; runs: number} | {type: 'result'; caseName: string} | {type: 'exit'};

/** What the driver is told: ready (with the pool's threads and the gradient self-check), timings, results, or the one-line failure. */
export type ChildReply =
  | {type: 'ready'; threads: number; selfCheckError: number}
  | {type: 'failed'; stage: string; message: string}
  | {type: 'time'; ms: number[]; cpuMs: number[]; busyThreads: number | null; gflop: number | null}
  | {type: 'result'; values: Float32Array};

/** The benchmark cases by name, with the untimed runs each build makes first (XNNPACK operators, heap growth). */
export const CASES: Record<string, {label: string; warmups: number}> = {
  'conv-128x16': {label: 'conv2d 3x3 [4,128,128,16]->16', warmups: 2},
  'conv-32x64': {label: 'conv2d 3x3 [4,32,32,64]->64', warmups: 2},
  matmul: {label: 'matMul 1024^3', warmups: 2},
  'unet-step': {label: 'U-Net training step (width 16, 128 px, batch 4)', warmups: 1},
};
