// A checkpoint is one file, written atomically (temp + rename): a JSON header (epoch, step, best score, where inside
// an unfinished epoch an interrupted run stopped, the optimiser's step count, array names and shapes) and the
// float32 values of the model's weights (trainable and not: BN statistics too) and of the optimiser's slots.
// Restoring it reproduces training exactly.
import {access, readFile} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {writeFileAtomic} from '../io/atomic-write.js';
import type {TrainingProgress} from '../models/families/common.js';
import type {NamedArray, Optimizer} from './optimizers.js';

const MAGIC = 'MSLKCKPT';

/**
 * Where inside an epoch an interrupted run stopped (SIGINT, SIGTERM): what a resume needs to go on with the epoch's
 * remaining batches and end it with the log line of an uninterrupted run.
 */
export interface UnfinishedEpoch {
  /** Steps (batches) done of the unfinished epoch, epoch `TrainingPosition.epoch + 1`: 1 to stepsPerEpoch. */
  steps: number;
  /** Steps per epoch of the run (written so that the position is known without the dataset). */
  stepsPerEpoch: number;
  /** Sum over those steps of the batch's mean loss x its images, and the images: the epoch's mean loss goes on from them. */
  lossSum: number;
  images: number;
  /** Wall-clock seconds the epoch had taken, added to the resumed part's in its log line. */
  seconds: number;
}

/** How far training got: what a checkpoint resumes from. */
export interface TrainingPosition {
  /** Epochs completed. */
  epoch: number;
  /** Optimisation steps completed (those of an unfinished epoch included). */
  step: number;
  bestScore: number | null;
  bestEpoch: number | null;
  /**
   * Set only when the checkpoint was written inside an epoch (training interrupted after step `steps` of epoch
   * `epoch + 1`); absent, as in every checkpoint written before it existed, at an epoch boundary.
   */
  unfinishedEpoch?: UnfinishedEpoch;
}

/**
 * The training progress at which a checkpoint was written, in a run of `epochs` epochs: the state (DyConv
 * temperature) of its last step, under which the epoch's validation, and so the choice of `best`, was made.
 * Evaluating a checkpoint in another state evaluates a different model: MS-LKSeg's epoch-9 weights scored test
 * mDice 0.53 at the final tau 1 instead of their own 3.9. Steps per epoch come from `unfinishedEpoch` when the
 * checkpoint was written inside an epoch, else from step / epoch (1 before any step).
 */
export function progressAtCheckpoint(position: Pick<TrainingPosition, 'epoch' | 'step' | 'unfinishedEpoch'>, epochs: number): TrainingProgress {
  const stepsPerEpoch = position.unfinishedEpoch?.stepsPerEpoch ?? (position.epoch > 0 ? position.step / position.epoch : 1);
  return {stepsDone: position.step, stepsPerEpoch, epochs};
}

/**
 * The JSON header of a checkpoint file (format 'mslk-checkpoint', version 1; `unfinishedEpoch` is optional, so
 * files written before it existed read as checkpoints at an epoch boundary).
 */
export interface CheckpointHeader extends TrainingPosition {
  format: 'mslk-checkpoint';
  version: 1;
  optimizerSteps: number;
  weights: {shape: number[]}[];
  optimizer: {name: string; shape: number[]}[];
}

/** A checkpoint read back: header, the model's weight values (model.weights order) and the optimiser's slots. */
export interface Checkpoint {
  header: CheckpointHeader;
  weights: Float32Array[];
  optimizer: NamedArray[];
  /** The file it was read from (readCheckpoint sets it), named by restoreCheckpoint's errors. */
  file?: string;
}

/**
 * Writes `model`'s weights (all of model.weights, in order, as float32) and `optimizer`'s state at `position` to
 * `file`, atomically. Layout: 'MSLKCKPT', uint32 LE header length, JSON header padded to 4 bytes, then the arrays.
 */
export async function saveCheckpoint(file: string, model: tf.LayersModel, optimizer: Optimizer, position: TrainingPosition): Promise<void> {
  // Read back asynchronously, all at once: a synchronous read fails on webgpu in Node and stalls a GPU per tensor.
  const weights = await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
  const slots = await optimizer.state();
  const header: CheckpointHeader = {
    format: 'mslk-checkpoint', version: 1, ...position, optimizerSteps: optimizer.steps,
    weights: model.weights.map((w) => ({shape: w.shape.map((d) => d ?? 0)})),
    optimizer: slots.map((s) => ({name: s.name, shape: s.shape})),
  };
  const json = Buffer.from(JSON.stringify(header));
  const pad = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4;
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(json.length + pad, MAGIC.length);
  const arrays = [...weights, ...slots.map((s) => s.values)].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  await writeFileAtomic(file, [prefix, json, Buffer.alloc(pad, 0x20), ...arrays]);
}

/**
 * The one-line error for a checkpoint file that cannot be read back (cut short by a crash or a full disk, or edited):
 * names the file and what still works. `last.ckpt` is written after every epoch and when training is interrupted,
 * so a run with a whole `best.ckpt` can still be evaluated from it; retraining means deleting the run folder (its
 * id stays the same).
 */
export async function damagedCheckpointError(file: string, what: string): Promise<Error> {
  const best = join(dirname(file), 'best.ckpt');
  const bestExists = basename(file) === 'last.ckpt' && await access(best).then(() => true, () => false);
  const fix = bestExists
    ? `the run can still be evaluated from ${best} (--checkpoint best); to train it again, delete the run folder and run \`mslk train\` again`
    : `put back a whole copy, or delete the run folder and run \`mslk train\` again to retrain it from scratch`;
  return new Error(`${file}: damaged checkpoint (${what}; cut short by a crash or a full disk, or edited): ${fix}`);
}

/**
 * Reads a checkpoint file. Throws the file system's error (ENOENT when absent), or an Error (one line, from
 * damagedCheckpointError) naming the file and the fix when it is not a checkpoint, truncated or its header damaged.
 */
export async function readCheckpoint(file: string): Promise<Checkpoint> {
  const bytes = await readFile(file);
  if (bytes.subarray(0, MAGIC.length).toString('ascii') !== MAGIC) throw new Error(`${file}: not an mslk checkpoint`);
  const start = MAGIC.length + 4;
  if (bytes.length < start) throw await damagedCheckpointError(file, `only ${bytes.length} bytes`);
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8')) as CheckpointHeader;
    if (!Array.isArray(header.weights) || !Array.isArray(header.optimizer)) throw new Error('no weight list');
    const unfinished = header.unfinishedEpoch;
    if (unfinished !== undefined && !(['steps', 'stepsPerEpoch', 'lossSum', 'images', 'seconds'] as const).every((k) => typeof unfinished[k] === 'number')) {
      throw new Error('unfinishedEpoch lacks a number');
    }
  } catch (error) {
    throw await damagedCheckpointError(file, `its header does not parse: ${(error as Error).message}`);
  }
  let offset = start + headerLength;
  const take = (shape: number[]): Float32Array => {
    const n = shape.reduce((a, b) => a * b, 1);
    // Copy: the Buffer may not be 4-byte aligned for a Float32Array view.
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + n * 4));
    offset += n * 4;
    return out;
  };
  const weights = header.weights.map((w) => take(w.shape));
  const optimizer = header.optimizer.map((o) => ({name: o.name, shape: o.shape, values: take(o.shape)}));
  if (offset !== bytes.length) throw await damagedCheckpointError(file, `truncated or corrupt: ${bytes.length} bytes, expected ${offset}`);
  return {header, weights, optimizer, file};
}

/**
 * Loads a checkpoint's weights into `model` (same architecture) and, when given, its state into `optimizer`.
 * Throws an Error (one line, naming checkpoint.file when set) when the number or the shapes of the weight arrays
 * differ: the checkpoint was made from another config (most often the run's config.json edited after training).
 */
export function restoreCheckpoint(checkpoint: Checkpoint, model: tf.LayersModel, optimizer?: Optimizer): void {
  const {weights, header} = checkpoint;
  const where = checkpoint.file === undefined ? '' : `${checkpoint.file}: `;
  const fix = 'config.json was edited after training? put the original back, or train the edited config as a new run';
  if (weights.length !== model.weights.length) {
    throw new Error(`${where}the checkpoint does not fit the run's config.json (${weights.length} weight arrays in the checkpoint, ${model.weights.length} in the model it describes): ${fix}`);
  }
  const mismatch = model.weights.findIndex((w, i) => w.shape.join(',') !== header.weights[i]!.shape.join(','));
  if (mismatch >= 0) {
    const w = model.weights[mismatch]!;
    throw new Error(`${where}the checkpoint does not fit the run's config.json (weight ${w.originalName}: shape ${header.weights[mismatch]!.shape.join('x')} in the checkpoint, ${w.shape.join('x')} in the model it describes): ${fix}`);
  }
  tf.tidy(() => model.setWeights(weights.map((values, i) => tf.tensor(values, header.weights[i]!.shape))));
  optimizer?.load(checkpoint.optimizer, header.optimizerSteps);
}
