// The training loop of one run: seeded batches from the dataset cache, one `trainingStep` (src/training/step.ts:
// forward + loss + backward + update) per batch with the learning rate, DyConv temperature and the family's other
// per-step state (EMCAD's drop-path masks) of that step, validation every epoch, `last` and `best` checkpoints,
// resumable from the last one with exactly the result of an uninterrupted run; stopped through an AbortSignal, it
// writes `last` where it is, inside the epoch.
import * as tf from '@tensorflow/tfjs';
import type {AugmentOptions} from '../datasets/augment.js';
import {epochBatches} from '../datasets/batches.js';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import {applyTrainingProgress, buildModel, familyOf, outputsOf} from '../models/registry.js';
import {damagedCheckpointError, readCheckpoint, restoreCheckpoint, saveCheckpoint, type TrainingPosition, type UnfinishedEpoch} from './checkpoint.js';
import type {RunConfig} from '../runs/config.js';
import {Optimizer} from './optimizers.js';
import type {RunDir} from '../runs/run-dir.js';
import {learningRateAt} from './schedules.js';
import {trainableOf, trainingStep, type TrainingStepResult} from './step.js';
import {meanDiceAtPreparedSize} from './validate.js';
import {gpuAllocatedBytes} from '../engine/backends.js';

/** One line of log.jsonl: what one epoch did. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /**
   * Mean training loss over the epoch's images (segmentationLoss of the output; of a model with several heads, their
   * losses as its family aggregates them: MUTATION adds 2^k - 1 of them, see src/training/head-aggregation.ts).
   */
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
 * The loss became NaN or infinite (one-line message). `epoch` and `step` are 1-based; the `last` checkpoint is kept:
 * the one written inside this epoch after step `resumedAtStep` of it when the run had been interrupted there, else
 * that of the last finished epoch, when there is one (epoch > 1).
 */
export class TrainingDivergedError extends Error {
  constructor(readonly epoch: number, readonly step: number, readonly loss: number, resumedAtStep = 0) {
    const kept = resumedAtStep > 0 ? `its last checkpoint (epoch ${epoch}, step ${resumedAtStep}, written when it was interrupted) is kept`
      : epoch > 1 ? `its last checkpoint (epoch ${epoch - 1}) is kept` : 'no checkpoint had been written yet (it diverged in the first epoch)';
    super(`loss became ${loss} at epoch ${epoch}, step ${step}: lower train.optimizer.lr or check the data; the run stopped and ${kept}`);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * Training was stopped through LoopOptions.signal (SIGINT, SIGTERM) between two steps. `epochsDone` epochs were
 * finished (0 when none); when `unfinished` is set, the `last` checkpoint holds the run after step
 * `unfinished.steps` of epoch `epochsDone + 1` (written as it stopped) and a resume goes on from the next step;
 * otherwise it stopped at an epoch boundary and `last` is that epoch's checkpoint (none when epochsDone is 0).
 */
export class TrainingInterruptedError extends Error {
  constructor(readonly epochsDone: number, readonly unfinished?: Pick<UnfinishedEpoch, 'steps' | 'stepsPerEpoch'>) {
    const where = unfinished !== undefined
      ? `its checkpoint is at epoch ${epochsDone + 1}, step ${unfinished.steps} of ${unfinished.stepsPerEpoch}, and a resume goes on from there`
      : epochsDone > 0 ? `its checkpoint is at the end of epoch ${epochsDone}` : 'no step had run, so no checkpoint was written';
    super(`training was interrupted; ${where}`);
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
   * Checked after every step and before every epoch (after yielding to the event loop, so a signal handler can
   * abort it): when aborted, the loop writes `last` at the step it reached (when a step of the unfinished epoch
   * ran; `best` is left alone) and stops with TrainingInterruptedError.
   */
  signal?: AbortSignal;
  /**
   * Called once when the model starts from its initial weights (no checkpoint restored), after build and before the
   * first step: where a new run loads pretrained weights (src/runs/train-run.ts). Its error stops the loop.
   */
  initialize?: (model: tf.LayersModel) => Promise<void>;
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
  /** On webgpu, the most GPU memory the backend held after an update (gpuAllocatedBytes), in bytes; else null. */
  peakGpuBytes: number | null;
}

/** The augmentation of a run's training batches, from config.data.augment. */
export function augmentOptions(config: RunConfig): AugmentOptions {
  return {...config.data.augment};
}

/**
 * Trains config.model for config.train.epochs epochs: seeded shuffled batches (NHWC [batch, size, size, 3] images in
 * [0, 1], [batch, size, size, 1] masks), segmentationLoss on the logits (of a model with several heads, their
 * losses aggregated as its family's outputs hook says), the configured optimiser at learningRateAt(step) and the
 * DyConv temperature of each step; after every epoch the validation Dice at the prepared size (of the inference
 * map), the `best` checkpoint when it improved, the `last` checkpoint and log.jsonl. When `signal` aborts it, it
 * finishes the current step, writes `last` at that step (the epoch's position, running loss and time in its
 * header's `unfinishedEpoch`) and throws TrainingInterruptedError. Resumed from `last`, at an epoch boundary
 * or inside an epoch (the epoch's first batches are skipped, not redone), it gives exactly the weights, log.jsonl
 * (but `seconds`) and metrics of an uninterrupted run. Throws TrainingDivergedError when a loss is NaN or infinite
 * (the checkpoints written so far stay), and the checkpoint reader's errors on a corrupt `last` or one made with
 * another number of steps per epoch. Disposes every tensor it makes but the returned model.
 */
export async function trainLoop(o: LoopOptions): Promise<LoopResult> {
  const {config, dataset, run} = o;
  const {model} = buildModel(config.model, {seed: config.seed});
  const optimizer = new Optimizer(config.train.optimizer);
  const stepsPerEpoch = Math.ceil(o.trainIndices.length / config.train.batchSize);
  // `position` is always at an epoch boundary: the part of an unfinished epoch lives in `resumedEpoch` and the
  // epoch loop's own counters.
  let position: TrainingPosition = {epoch: 0, step: 0, bestScore: null, bestEpoch: null};
  let resumedEpoch: UnfinishedEpoch | undefined;
  let logLines: string[] = [];
  let restored = false;
  if (o.resume) {
    try {
      const checkpoint = await readCheckpoint(run.checkpoint('last'));
      restoreCheckpoint(checkpoint, model, optimizer);
      restored = true;
      const {epoch, step, bestScore, bestEpoch, unfinishedEpoch} = checkpoint.header;
      if (unfinishedEpoch !== undefined && unfinishedEpoch.stepsPerEpoch !== stepsPerEpoch) {
        throw new Error(`${run.checkpoint('last')}: written inside epoch ${epoch + 1} of a run with ${unfinishedEpoch.stepsPerEpoch} steps per epoch, this run has ${stepsPerEpoch}: the split or train.batchSize changed since; delete the run folder to train it again`);
      }
      if (unfinishedEpoch !== undefined && step !== epoch * stepsPerEpoch + unfinishedEpoch.steps) {
        throw await damagedCheckpointError(run.checkpoint('last'), `step ${step} is not step ${unfinishedEpoch.steps} of epoch ${epoch + 1}`);
      }
      position = {epoch, step: step - (unfinishedEpoch?.steps ?? 0), bestScore, bestEpoch};
      resumedEpoch = unfinishedEpoch;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        optimizer.dispose();
        model.dispose();
        throw error;
      }
    }
    logLines = await run.logLines(position.epoch);
  }
  if (!restored && o.initialize) {
    await o.initialize(model).catch((error: unknown) => {
      optimizer.dispose();
      model.dispose();
      throw error;
    });
  }
  const outputs = outputsOf(config.model);
  const family = familyOf(config.model);
  const trainable = trainableOf(model, outputs);
  const totalSteps = stepsPerEpoch * config.train.epochs;
  const augment = augmentOptions(config);
  let peakTensorBytes = tf.memory().numBytes;
  let peakGpuBytes = gpuAllocatedBytes();
  const started = performance.now();
  const progress = (stepsDone: number) => ({stepsDone, stepsPerEpoch, epochs: config.train.epochs});
  // The state of the last step done: the validation of an epoch whose steps were all done before a resume runs in it.
  let tau = applyTrainingProgress(model, config.model, progress(position.step + (resumedEpoch?.steps ?? 0)));
  const aborted = async (): Promise<boolean> => {
    if (o.signal === undefined) return false;
    await yieldToEventLoop();
    return o.signal.aborted;
  };
  // Stops inside the epoch (`unfinished`, writing `last` there unless it already holds that position) or at its start.
  const stop = async (unfinished: UnfinishedEpoch | undefined, alreadyWritten: boolean): Promise<never> => {
    try {
      if (unfinished !== undefined && !alreadyWritten) {
        await saveCheckpoint(run.checkpoint('last'), model, optimizer, {...position, step: position.step + unfinished.steps, unfinishedEpoch: unfinished});
      }
    } finally {
      optimizer.dispose();
      model.dispose();
    }
    throw new TrainingInterruptedError(position.epoch, unfinished);
  };

  for (let epoch = position.epoch; epoch < config.train.epochs; epoch++) {
    const resumed = resumedEpoch;
    resumedEpoch = undefined;
    const epochStart = performance.now() - (resumed?.seconds ?? 0) * 1000;
    let lossSum = resumed?.lossSum ?? 0;
    let seen = resumed?.images ?? 0;
    let batch = resumed?.steps ?? 0;
    // The learning rate of the epoch's last step so far (overwritten by every step still to come).
    let lr = resumed !== undefined ? learningRateAt(config.train.schedule, config.train.optimizer.lr, position.step + batch - 1, totalSteps, stepsPerEpoch) : config.train.optimizer.lr;
    const unfinished = (): UnfinishedEpoch => ({steps: batch, stepsPerEpoch, lossSum, images: seen, seconds: (performance.now() - epochStart) / 1000});
    if (await aborted()) await stop(resumed !== undefined ? unfinished() : undefined, true);
    const batches = epochBatches(dataset, o.trainIndices, {seed: config.seed, epoch, batchSize: config.train.batchSize, shuffle: true, augment, fromBatch: batch});
    for (const b of batches) {
      const step = position.step + batch;
      lr = learningRateAt(config.train.schedule, config.train.optimizer.lr, step, totalSteps, stepsPerEpoch);
      // A step runs at the state it ends at: the last step of DyConv's anneal already runs at its end temperature.
      tau = applyTrainingProgress(model, config.model, progress(step + 1));
      // Per-step randomness inside the model (EMCAD's stochastic depth) is keyed by this step's index, not by calls
      // counted since the model was built, which restart at 0 in a resumed process.
      family.beforeTrainingStep?.(model, step);
      const x = tf.tensor4d(b.images, b.shape);
      const y = tf.tensor4d(b.masks, [b.shape[0], b.shape[1], b.shape[2], 1]);
      let result: TrainingStepResult;
      try {
        result = await trainingStep({trainable, optimizer, loss: config.train.loss, x, y, lr});
      } finally {
        tf.dispose([x, y]);
      }
      if (!result.updated) throw new TrainingDivergedError(epoch + 1, step + 1, result.loss, resumed?.steps ?? 0);
      const loss = result.loss;
      peakTensorBytes = Math.max(peakTensorBytes, result.liveTensorBytes);
      const gpuBytes = gpuAllocatedBytes();
      if (gpuBytes !== null) peakGpuBytes = Math.max(peakGpuBytes ?? 0, gpuBytes);
      lossSum += loss * b.indices.length;
      seen += b.indices.length;
      batch++;
      o.onBatch?.({epoch: epoch + 1, batch, batches: stepsPerEpoch, loss: lossSum / seen});
      if (await aborted()) await stop(unfinished(), false);
    }
    const valDice = o.validationIndices.length > 0
      ? await meanDiceAtPreparedSize(model, dataset, o.validationIndices, config.train.batchSize, config.eval.threshold, outputs.inference)
      : null;
    const improved = valDice !== null && (position.bestScore === null || valDice > position.bestScore);
    position = {...position, epoch: epoch + 1, step: position.step + batch, ...(improved ? {bestScore: valDice, bestEpoch: epoch + 1} : {})};
    const entry: EpochLog = {
      epoch: epoch + 1, trainLoss: lossSum / Math.max(1, seen), valDice, lr, tau,
      seconds: (performance.now() - epochStart) / 1000, best: improved,
    };
    // Best, then the log, then `last`: a run killed before `last` is written resumes from the previous `last`, which
    // re-earns `best`, and drops the log's lines past its epoch (logLines(position.epoch)). Writing `last` before the
    // log would lose this epoch's line to a kill between the two.
    if (improved) await saveCheckpoint(run.checkpoint('best'), model, optimizer, position);
    logLines.push(JSON.stringify(entry));
    await run.writeLog(logLines);
    await saveCheckpoint(run.checkpoint('last'), model, optimizer, position);
    o.onEpoch?.(entry);
  }
  optimizer.dispose();
  return {model, position, trainSeconds: (performance.now() - started) / 1000, peakTensorBytes, peakGpuBytes};
}
