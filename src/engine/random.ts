// The one source of randomness for training and data code: a seeded xoroshiro128+ generator (pure-rand) whose
// state can be saved in a checkpoint and restored exactly. Math.random is never used.
import {xoroshiro128plus, xoroshiro128plusFromState} from 'pure-rand/generator/xoroshiro128plus';
import {uniformFloat64} from 'pure-rand/distribution/uniformFloat64';
import type {JumpableRandomGenerator} from 'pure-rand/types/JumpableRandomGenerator';

/** 32-bit FNV-1a of a string, to derive independent streams from one seed and a label. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class SeededRandom {
  private constructor(private readonly rng: JumpableRandomGenerator) {}

  static fromSeed(seed: number): SeededRandom {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    return new SeededRandom(xoroshiro128plus(seed | 0));
  }

  static fromState(state: readonly number[]): SeededRandom {
    return new SeededRandom(xoroshiro128plusFromState(state));
  }

  /** An independent stream for one purpose ('init', 'shuffle', 'augment/3', ...), the same for the same seed. */
  static stream(seed: number, label: string): SeededRandom {
    return SeededRandom.fromSeed((fnv1a(label) ^ Math.imul(seed | 0, 0x9e3779b1)) | 0);
  }

  state(): number[] {
    return [...this.rng.getState()];
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Normal(mean, std) by Box-Muller (one value per call, so the state alone determines the stream). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.float();
    const v = this.float();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A seeded Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({length: n}, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }

  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }
}
