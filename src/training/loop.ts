// The training loop of one run: seeded batches from the dataset cache, one `trainingStep` (src/training/step.ts:
// forward + loss + backward + update) per batch with the learning rate and DyConv temperature of that step,
// validation every epoch, `last` and `best` checkpoints, resumable from the last one with exactly the result of an
// uninterrupted run.
import * as tf from '@tensorflow/tfjs';
import type {AugmentOptions} from '../datasets/augment.js';
import {epochBatches} from '../datasets/batches.js';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import {buildModel} from '../models/registry.js';
import {setDyConvTemperature} from '../models/layers/temperature.js';
import {readCheckpoint, restoreCheckpoint, saveCheckpoint, type TrainingPosition} from './checkpoint.js';
import type {RunConfig} from '../runs/config.js';
import {Optimizer} from './optimizers.js';
import type {RunDir} from '../runs/run-dir.js';
import {learningRateAt} from './schedules.js';
import {trainableOf, trainingStep, type TrainingStepResult} from './step.js';
import {temperatureAtStep} from './temperature.js';
import {meanDiceAtPreparedSize} from './validate.js';

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  valDice: number | null;
  lr: number;
  tau: number | null;
  seconds: number;
  best: boolean;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

export class TrainingDivergedError extends Error {
  constructor(readonly epoch: number, readonly step: number, readonly loss: number) {
    super(`loss became ${loss} at epoch ${epoch}, step ${step}: lower train.optimizer.lr or check the data; the run stopped and its last checkpoint is kept`);
    this.name = 'TrainingDivergedError';
  }
}

export interface LoopOptions {
  config: RunConfig;
  dataset: PreparedDataset;
  trainIndices: readonly number[];
  validationIndices: readonly number[];
  run: RunDir;
  resume: boolean;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (e: EpochLog) => void;
}

export interface LoopResult {
  model: tf.LayersModel;
  position: TrainingPosition;
  trainSeconds: number;
  peakTensorBytes: number;
}

export function augmentOptions(config: RunConfig): AugmentOptions {
  return {...config.data.augment};
}

export async function trainLoop(o: LoopOptions): Promise<LoopResult> {
  const {config, dataset, run} = o;
  const {model} = buildModel(config.model, {seed: config.seed});
  const optimizer = new Optimizer(config.train.optimizer);
  let position: TrainingPosition = {epoch: 0, step: 0, bestScore: null, bestEpoch: null};
  let logLines: string[] = [];
  if (o.resume) {
    try {
      const checkpoint = await readCheckpoint(run.checkpoint('last'));
      restoreCheckpoint(checkpoint, model, optimizer);
      const {epoch, step, bestScore, bestEpoch} = checkpoint.header;
      position = {epoch, step, bestScore, bestEpoch};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    logLines = await run.logLines(position.epoch);
  }
  const trainable = trainableOf(model);
  const stepsPerEpoch = Math.ceil(o.trainIndices.length / config.train.batchSize);
  const totalSteps = stepsPerEpoch * config.train.epochs;
  const augment = augmentOptions(config);
  let peakTensorBytes = tf.memory().numBytes;
  const started = performance.now();
  let tau = temperatureAtStep(config, Math.max(0, position.step - 1), stepsPerEpoch);

  for (let epoch = position.epoch; epoch < config.train.epochs; epoch++) {
    const epochStart = performance.now();
    let lossSum = 0;
    let seen = 0;
    let lr = config.train.optimizer.lr;
    let batch = 0;
    for (const b of epochBatches(dataset, o.trainIndices, {seed: config.seed, epoch, batchSize: config.train.batchSize, shuffle: true, augment})) {
      const step = position.step;
      lr = learningRateAt(config.train.schedule, config.train.optimizer.lr, step, totalSteps, stepsPerEpoch);
      tau = temperatureAtStep(config, step, stepsPerEpoch);
      if (tau !== null) setDyConvTemperature(model, tau);
      const x = tf.tensor4d(b.images, b.shape);
      const y = tf.tensor4d(b.masks, [b.shape[0], b.shape[1], b.shape[2], 1]);
      let result: TrainingStepResult;
      try {
        result = trainingStep({trainable, optimizer, loss: config.train.loss, x, y, lr});
      } finally {
        tf.dispose([x, y]);
      }
      if (!result.updated) throw new TrainingDivergedError(epoch + 1, step + 1, result.loss);
      const loss = result.loss;
      peakTensorBytes = Math.max(peakTensorBytes, result.liveTensorBytes);
      position.step++;
      lossSum += loss * b.indices.length;
      seen += b.indices.length;
      batch++;
      o.onBatch?.({epoch: epoch + 1, batch, batches: stepsPerEpoch, loss: lossSum / seen});
    }
    const valDice = o.validationIndices.length > 0
      ? meanDiceAtPreparedSize(model, dataset, o.validationIndices, config.train.batchSize, config.eval.threshold)
      : null;
    const improved = valDice !== null && (position.bestScore === null || valDice > position.bestScore);
    position = {...position, epoch: epoch + 1, ...(improved ? {bestScore: valDice, bestEpoch: epoch + 1} : {})};
    const entry: EpochLog = {
      epoch: epoch + 1, trainLoss: lossSum / Math.max(1, seen), valDice, lr, tau,
      seconds: (performance.now() - epochStart) / 1000, best: improved,
    };
    // Best first: a run killed between the two writes resumes from `last`, which then re-earns `best`.
    if (improved) await saveCheckpoint(run.checkpoint('best'), model, optimizer, position);
    await saveCheckpoint(run.checkpoint('last'), model, optimizer, position);
    logLines.push(JSON.stringify(entry));
    await run.writeLog(logLines);
    o.onEpoch?.(entry);
  }
  optimizer.dispose();
  return {model, position, trainSeconds: (performance.now() - started) / 1000, peakTensorBytes};
}
