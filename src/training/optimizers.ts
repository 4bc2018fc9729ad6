// Optimisers written out (PyTorch's update rules), so that their state is plain named tensors that a checkpoint
// saves and restores exactly, and the learning rate can change at every step.
//   sgd:   v = momentum * v + (g + wd * w);              w -= lr * v
//   adam:  g' = g + wd * w; m, v moments of g'; bias-corrected;  w -= lr * m^ / (sqrt(v^) + eps)
//   adamw: as adam on g, then w -= lr * wd * w (decoupled weight decay, Loshchilov & Hutter 2019)
import * as tf from '@tensorflow/tfjs';
import type {OptimizerConfig} from '../runs/config.js';

const EPSILON = 1e-8;

/** A named float32 array with its shape (an optimiser slot in a checkpoint). */
export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/**
 * SGD with momentum, Adam or AdamW (config.name), updating tf.Variables in place with a learning rate given at each
 * step; its state (slots) is saved and restored exactly by checkpoints. Call dispose() when done.
 */
export class Optimizer {
  /** Completed update steps (Adam's bias correction uses it). */
  steps = 0;
  private readonly slots = new Map<string, tf.Variable>();

  constructor(readonly config: OptimizerConfig) {}

  /** Slots are keyed by the variable's position: layer names change when a process builds a model twice. */
  private slot(kind: string, index: number, v: tf.Variable): tf.Variable {
    const key = `${index}/${kind}`;
    let s = this.slots.get(key);
    if (s === undefined) {
      const zeros = tf.zerosLike(v);
      // Unnamed: variable names are global to the engine, and two runs may share a process.
      s = tf.variable(zeros, false);
      zeros.dispose();
      this.slots.set(key, s);
    }
    return s;
  }

  /**
   * One update of `variables` with their `gradients` at learning rate `lr`. A variable whose gradient is undefined
   * (not connected to the loss: a head that the `last` loss rule leaves out) is left as it is, its slots untouched
   * and no weight decay applied, as PyTorch's optimisers skip a parameter whose grad is None.
   */
  apply(variables: readonly tf.Variable[], gradients: readonly (tf.Tensor | undefined)[], lr: number): void {
    const c = this.config;
    this.steps++;
    const t = this.steps;
    for (let i = 0; i < variables.length; i++) {
      const w = variables[i]!;
      const g = gradients[i];
      if (g === undefined) continue;
      if (c.name === 'sgd') {
        const v = this.slot('momentum', i, w);
        tf.tidy(() => {
          const decayed = c.weightDecay > 0 ? tf.add(g, tf.mul(w, c.weightDecay)) : g;
          const nv = tf.add(tf.mul(v, c.momentum), decayed);
          v.assign(nv);
          w.assign(tf.sub(w, tf.mul(nv, lr)));
        });
      } else {
        const m = this.slot('m', i, w);
        const s = this.slot('v', i, w);
        tf.tidy(() => {
          const gg = c.name === 'adam' && c.weightDecay > 0 ? tf.add(g, tf.mul(w, c.weightDecay)) : g;
          const nm = tf.add(tf.mul(m, c.beta1), tf.mul(gg, 1 - c.beta1));
          const ns = tf.add(tf.mul(s, c.beta2), tf.mul(tf.square(gg), 1 - c.beta2));
          m.assign(nm);
          s.assign(ns);
          const mHat = tf.div(nm, 1 - c.beta1 ** t);
          const vHat = tf.div(ns, 1 - c.beta2 ** t);
          let next = tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), EPSILON)), lr));
          if (c.name === 'adamw' && c.weightDecay > 0) next = tf.sub(next, tf.mul(w, lr * c.weightDecay));
          w.assign(next);
        });
      }
    }
  }

  /** The state as named arrays (slot names are `<variable index>/<kind>`), read back from the device together. */
  async state(): Promise<NamedArray[]> {
    const entries = [...this.slots.entries()];
    const values = await Promise.all(entries.map(([, v]) => v.data() as Promise<Float32Array>));
    return entries.map(([name, v], k) => ({name, shape: v.shape, values: values[k]!}));
  }

  /** Restores `state()` output; slots are created as needed. */
  load(state: readonly NamedArray[], steps: number): void {
    this.steps = steps;
    for (const entry of state) {
      const existing = this.slots.get(entry.name);
      const value = tf.tensor(entry.values, entry.shape);
      if (existing) {
        existing.assign(value);
        value.dispose();
      } else {
        this.slots.set(entry.name, tf.variable(value, false));
        value.dispose();
      }
    }
  }

  /** Frees the slot variables. */
  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}
