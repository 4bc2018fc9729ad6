// The DyConv softmax temperature and its annealing schedule: a high temperature early keeps the kernel
// attention near uniform, so all K kernels train before the attention sharpens (Chen et al. 2020).
import type * as tf from '@tensorflow/tfjs';
import {DyConv} from './dyconv.js';

export interface TemperatureSchedule {
  /** 'linear': start -> end over `epochs` epochs, then end. 'constant': always end. */
  schedule: 'linear' | 'constant';
  start: number;
  end: number;
  epochs: number;
}

/** Temperature at a fractional epoch (epoch 1.5 = halfway through the second epoch). */
export function temperatureAt(s: TemperatureSchedule, epoch: number): number {
  if (s.schedule === 'constant' || s.epochs <= 0 || epoch >= s.epochs) return s.end;
  const t = Math.max(0, epoch) / s.epochs;
  return s.start + (s.end - s.start) * t;
}

/** Sets the temperature of every DyConv layer; returns how many there were. */
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
