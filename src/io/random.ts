// The one source of randomness for training and data code: a seeded xoroshiro128+ generator (pure-rand) whose
// state can be saved in a checkpoint and restored exactly. The unseeded global generator is never used.
import {xoroshiro128plus, xoroshiro128plusFromState} from 'pure-rand/generator/xoroshiro128plus';
import {uniformFloat64} from 'pure-rand/distribution/uniformFloat64';
import type {JumpableRandomGenerator} from 'pure-rand/types/JumpableRandomGenerator';

/** 32-bit FNV-1a of a label, to turn names ('split', 'augment', a class name) into seed parts. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Mixes 32-bit integers into one seed (murmur3 finaliser), so that (seed, epoch, index) streams do not overlap. */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
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

  /**
   * An independent stream for one purpose and key: stream('augment', seed, epoch, index). The same label and
   * parts always give the same stream.
   */
  static stream(label: string, ...parts: readonly number[]): SeededRandom {
    return SeededRandom.fromSeed(mixSeed(hashLabel(label), ...parts));
  }

  state(): number[] {
    return [...this.rng.getState()];
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }

  /** Uniform in [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.float() * n));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** Normal(mean, std) by Box-Muller (one value per call, so the state alone determines the stream). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.float();
    const v = this.float();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A seeded Fisher-Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** A seeded permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffled(Array.from({length: n}, (_, i) => i));
  }

  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }
}
