// The DyConv temperature schedule of a run, per optimisation step, and the temperature a checkpoint belongs to.
import type * as tf from '@tensorflow/tfjs';
import {setDyConvTemperature} from '../models/layers/temperature.js';
import type {TrainingPosition} from './checkpoint.js';
import type {RunConfig} from '../runs/config.js';

/**
 * DyConv temperature at optimisation step `step` (0-based, as learningRateAt): linear from start to end over
 * min(schedule epochs, run epochs) x stepsPerEpoch steps, reaching `end` at that span's last step; null when the
 * model has no DyConv (not MS-LKSeg, or dyconv disabled).
 */
export function temperatureAtStep(config: RunConfig, step: number, stepsPerEpoch: number): number | null {
  const model = config.model;
  if (model.model !== 'ms-lkseg' || !model.dyconv.enabled) return null;
  const t = model.dyconv.temperature;
  if (t.schedule === 'constant') return t.end;
  const span = Math.min(t.epochs, config.train.epochs) * stepsPerEpoch;
  if (span <= 0) return t.end;
  return t.start + (t.end - t.start) * Math.min(1, (step + 1) / span);
}

/**
 * The DyConv temperature in force when a checkpoint was written: that of its last step, under which the epoch's
 * validation (and so the choice of `best`) was made. Evaluating a checkpoint at another temperature evaluates a
 * different model: MS-LKSeg's epoch-9 weights scored test mDice 0.53 at the final tau 1 instead of their own 3.9.
 */
export function temperatureAtCheckpoint(config: RunConfig, position: Pick<TrainingPosition, 'epoch' | 'step'>): number | null {
  if (position.epoch === 0 || position.step === 0) return temperatureAtStep(config, 0, 1);
  return temperatureAtStep(config, position.step - 1, position.step / position.epoch);
}

/** Sets every DyConv of `model` to the temperature of the checkpoint at `position` (nothing without DyConv). */
export function useCheckpointTemperature(model: tf.LayersModel, config: RunConfig, position: Pick<TrainingPosition, 'epoch' | 'step'>): void {
  const tau = temperatureAtCheckpoint(config, position);
  if (tau !== null) setDyConvTemperature(model, tau);
}
