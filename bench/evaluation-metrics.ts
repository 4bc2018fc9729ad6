// Benchmark: per-image evaluation cost (threshold + counts + both HD95s, and the threshold-averaged Dice) on a
// polyp-like disc pair and on a noisy worst case (boundary everywhere), at 352x352 and 1024x1024.
// Target (issue 5): HD95 of a 1000x1000 mask well under 100 ms. Run: node --import=tsx bench/evaluation-metrics.ts
import {availableParallelism, loadavg} from 'node:os';
import {hausdorff95, perImageMetrics, resizeBilinear, type BinaryMask, type ProbabilityMap} from '../src/evaluation/index.js';

function disc(size: number, cx: number, cy: number, r: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - cx, y - cy) / r;
      out[y * size + x] = 1 / (1 + Math.exp((d - 1) * 12)); // soft edge: a sigmoid-like probability
    }
  }
  return out;
}

/** Deterministic speckle: about half the pixels foreground, so nearly every foreground pixel is boundary. */
function speckle(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size * size);
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 31;
  }
  return out;
}

/**
 * Median CPU time of this process per call, in ms (after one warm-up call). CPU time rather than wall time because
 * the machine is shared: waiting for a core is not the cost of the code.
 */
function timeMs(runs: number, work: () => void): number {
  work();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}; median CPU ms per call`);
for (const size of [352, 1024]) {
  const runs = size > 500 ? 10 : 30;
  const probabilities: ProbabilityMap = {data: disc(size, size * 0.45, size * 0.5, size * 0.3), height: size, width: size};
  const truth = disc(size, size * 0.55, size * 0.5, size * 0.28);
  const groundTruth: BinaryMask = {data: Uint8Array.from(truth, (p) => (p >= 0.5 ? 1 : 0)), height: size, width: size};
  const shape = {height: size, width: size};
  const all = timeMs(runs, () => perImageMetrics(probabilities, groundTruth));
  const predicted = Uint8Array.from(probabilities.data, (p) => (p >= 0.5 ? 1 : 0));
  const hd95Only = timeMs(runs, () => hausdorff95(predicted, groundTruth.data, shape));
  const withAveraged = timeMs(runs, () => perImageMetrics(probabilities, groundTruth, {thresholdAveragedDice: true}));
  const a = speckle(size, 1);
  const b = speckle(size, 2);
  const worst = timeMs(runs, () => hausdorff95(a, b, shape));
  const small: ProbabilityMap = {data: disc(size >> 2, size * 0.11, size * 0.12, size * 0.07), height: size >> 2, width: size >> 2};
  const resize = timeMs(runs, () => resizeBilinear(small.data, small, shape));
  console.log(
    `${size}x${size}: perImageMetrics ${all.toFixed(1)} ms/image (of which both HD95s ${hd95Only.toFixed(1)} ms), ` +
      `with threshold-averaged Dice ${withAveraged.toFixed(1)} ms, ` +
      `HD95 on speckle noise (worst case) ${worst.toFixed(1)} ms, resize ${size >> 2}->${size} ${resize.toFixed(1)} ms `,
  );
}
