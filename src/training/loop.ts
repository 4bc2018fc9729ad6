// The training loop of one run: seeded batches from the dataset cache, one `trainingStep` (src/training/step.ts:
// forward + loss + backward + update) per batch with the learning rate and DyConv temperature of that step,
// validation every epoch, `last` and `best` checkpoints, resumable from the last one with exactly the result of an
// uninterrupted run.
import * as tf from '@tensorflow/tfjs';
import type {AugmentOptions} from '../datasets/augment.js';
import {epochBatches} from '../datasets/batches.js';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import {applyTrainingProgress, buildModel, familyOf} from '../models/registry.js';
import {readCheckpoint, restoreCheckpoint, saveCheckpoint, type TrainingPosition} from './checkpoint.js';
import type {RunConfig} from '../runs/config.js';
import {Optimizer} from './optimizers.js';
import type {RunDir} from '../runs/run-dir.js';
import {learningRateAt} from './schedules.js';
import {trainableOf, trainingStep, type TrainingStepResult} from './step.js';
import {meanDiceAtPreparedSize} from './validate.js';

/** One line of log.jsonl: what one epoch did. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's images (the loss of segmentationLoss). */
  trainLoss: number;
  /** Mean per-image Dice on the validation split at the prepared size (null without validation images). */
  valDice: number | null;
  /** Learning rate of the epoch's last step. */
  lr: number;
  /** DyConv temperature of the epoch's last step (null without DyConv). */
  tau: number | null;
  /** Wall-clock seconds of the epoch, validation included. */
  seconds: number;
  /** Whether valDice improved on every earlier epoch (the `best` checkpoint was written). */
  best: boolean;
}

/** Progress after one optimisation step. */
export interface BatchProgress {
  /** 1-based epoch and batch numbers; `batches` per epoch. */
  epoch: number;
  batch: number;
  batches: number;
  /** Mean training loss of the epoch so far. */
  loss: number;
}

/**
 * The loss became NaN or infinite (one-line message). `epoch` and `step` are 1-based; the checkpoint of the last
 * finished epoch, when there is one (epoch > 1), is kept.
 */
export class TrainingDivergedError extends Error {
  constructor(readonly epoch: number, readonly step: number, readonly loss: number) {
    const kept = epoch > 1 ? `its last checkpoint (epoch ${epoch - 1}) is kept` : 'no checkpoint had been written yet (it diverged in the first epoch)';
    super(`loss became ${loss} at epoch ${epoch}, step ${step}: lower train.optimizer.lr or check the data; the run stopped and ${kept}`);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * Training was stopped through LoopOptions.signal (SIGINT, SIGTERM) between two steps. The checkpoint of the last
 * finished epoch (`epochsDone`, 0 when none) is kept; the steps of the unfinished epoch are lost (checkpoints are
 * per epoch), and a resume redoes them exactly.
 */
export class TrainingInterruptedError extends Error {
  constructor(readonly epochsDone: number) {
    super(`training was interrupted; ${epochsDone > 0 ? `the checkpoint of epoch ${epochsDone} is kept` : 'no epoch had finished, so no checkpoint was written'}`);
    this.name = 'TrainingInterruptedError';
  }
}

/** Lets pending events (a signal handler aborting the loop) run: the steps of an epoch are otherwise synchronous. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The inputs of trainLoop. */
export interface LoopOptions {
  config: RunConfig;
  /** The prepared dataset (images at config.data.size). */
  dataset: PreparedDataset;
  /** Positions in `dataset` of the training and validation images. */
  trainIndices: readonly number[];
  validationIndices: readonly number[];
  /** Where checkpoints and log.jsonl are written. */
  run: RunDir;
  /** Continue from the `last` checkpoint when there is one (else start at epoch 0). */
  resume: boolean;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (e: EpochLog) => void;
  /**
   * Checked between steps (after yielding to the event loop, so a signal handler can abort it): when aborted, the
   * loop stops with TrainingInterruptedError, keeping the last finished epoch's checkpoint.
   */
  signal?: AbortSignal;
}

/** What trainLoop returns. */
export interface LoopResult {
  /** The model after the last epoch (the caller disposes it). */
  model: tf.LayersModel;
  /** Epochs and steps completed, best validation Dice and its epoch. */
  position: TrainingPosition;
  /** Wall-clock seconds of this process's epochs (not of epochs before a resume). */
  trainSeconds: number;
  /** Highest tf.memory().numBytes seen after an update, in bytes. */
  peakTensorBytes: number;
}

/** The augmentation of a run's training batches, from config.data.augment. */
export function augmentOptions(config: RunConfig): AugmentOptions {
  return {...config.data.augment};
}

/**
 * Trains config.model for config.train.epochs epochs: seeded shuffled batches (NHWC [batch, size, size, 3] images in
 * [0, 1], [batch, size, size, 1] masks), segmentationLoss on the logits, the configured optimiser at
 * learningRateAt(step) and the DyConv temperature of each step; after every epoch the validation Dice at the
 * prepared size, the `best` checkpoint when it improved, the `last` checkpoint and log.jsonl. Resumed from `last`,
 * it gives exactly the result of an uninterrupted run. Throws TrainingDivergedError when a loss is NaN or infinite
 * (the checkpoints of finished epochs stay), TrainingInterruptedError when `signal` aborts it (between steps), and the checkpoint reader's errors on a corrupt `last`. Disposes every
 * tensor it makes but the returned model.
 */
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
  const progress = (stepsDone: number) => ({stepsDone, stepsPerEpoch, epochs: config.train.epochs});
  let tau = familyOf(config.model).temperatureAt(config.model, progress(position.step));
  const stopIfAborted = async (): Promise<void> => {
    if (o.signal === undefined) return;
    await yieldToEventLoop();
    if (!o.signal.aborted) return;
    optimizer.dispose();
    model.dispose();
    throw new TrainingInterruptedError(position.epoch);
  };

  for (let epoch = position.epoch; epoch < config.train.epochs; epoch++) {
    const epochStart = performance.now();
    let lossSum = 0;
    let seen = 0;
    let lr = config.train.optimizer.lr;
    let batch = 0;
    for (const b of epochBatches(dataset, o.trainIndices, {seed: config.seed, epoch, batchSize: config.train.batchSize, shuffle: true, augment})) {
      await stopIfAborted();
      const step = position.step;
      lr = learningRateAt(config.train.schedule, config.train.optimizer.lr, step, totalSteps, stepsPerEpoch);
      // A step runs at the state it ends at: the last step of DyConv's anneal already runs at its end temperature.
      tau = applyTrainingProgress(model, config.model, progress(step + 1));
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
