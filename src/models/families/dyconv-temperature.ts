// The DyConv softmax temperature of a training run, owned by the ms-lkseg family: its schedule (the config group
// `dyconv.temperature`), the temperature at any point of training, and setting a built model to it. A high
// temperature early keeps the kernel attention near uniform, so all K kernels train before the attention
// sharpens (Chen et al., "Dynamic Convolution", CVPR 2020; ms-lkseg.md: 30 -> 1 over the first 10 epochs, per step).
import type * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {DyConv} from '../layers/dyconv.js';
import type {TrainingProgress} from './common.js';

export const temperatureScheduleSchema = z.object({
  schedule: z.enum(['linear', 'constant']).default('linear')
    .describe("'linear': start -> end over `epochs` epochs, updated every step, then end; 'constant': always end"),
  start: z.number().positive().default(30).describe('temperature before the first training step (linear only)'),
  end: z.number().positive().default(1).describe('temperature once the anneal is over, and for evaluation after it'),
  epochs: z.number().nonnegative().default(10).describe('length of the anneal in epochs, capped at train.epochs (0 = end from the start)'),
}).strict();

/** A resolved `dyconv.temperature` group. */
export type TemperatureSchedule = z.output<typeof temperatureScheduleSchema>;

/**
 * The temperature after `progress.stepsDone` optimisation steps: linear from `start` (no step done) to `end`
 * over min(schedule epochs, run epochs) x steps per epoch, then `end`; always `end` for 'constant'.
 */
export function scheduledTemperature(s: TemperatureSchedule, progress: TrainingProgress): number {
  if (s.schedule === 'constant') return s.end;
  const span = Math.min(s.epochs, progress.epochs) * progress.stepsPerEpoch;
  if (span <= 0) return s.end;
  return s.start + (s.end - s.start) * Math.min(1, Math.max(0, progress.stepsDone) / span);
}

/** Sets the temperature of every DyConv layer of `model`; returns how many there were. Throws unless tau > 0. */
export function setDyConvTemperature(model: tf.LayersModel, temperature: number): number {
  if (!(temperature > 0)) throw new Error(`DyConv temperature must be > 0, got ${temperature}`);
  let n = 0;
  for (const layer of model.layers) {
    if (layer instanceof DyConv) {
      layer.temperature = temperature;
      n++;
    }
  }
  return n;
}
