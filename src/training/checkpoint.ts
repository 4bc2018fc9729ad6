// A checkpoint is one file, written atomically (temp + rename): a JSON header (epoch, step, best score, the
// optimiser's step count, array names and shapes) and the float32 values of the model's weights (trainable and
// not: BN statistics too) and of the optimiser's slots. Restoring it reproduces training exactly.
import {readFile} from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import {writeFileAtomic} from '../io/atomic-write.js';
import type {TrainingProgress} from '../models/families/common.js';
import type {NamedArray, Optimizer} from './optimizers.js';

const MAGIC = 'MSLKCKPT';

/** How far training got: what a checkpoint resumes from. */
export interface TrainingPosition {
  /** Epochs completed. */
  epoch: number;
  /** Optimisation steps completed. */
  step: number;
  bestScore: number | null;
  bestEpoch: number | null;
}

/**
 * The training progress at which a checkpoint was written, in a run of `epochs` epochs: the state (DyConv
 * temperature) of its last step, under which the epoch's validation, and so the choice of `best`, was made.
 * Evaluating a checkpoint in another state evaluates a different model: MS-LKSeg's epoch-9 weights scored test
 * mDice 0.53 at the final tau 1 instead of their own 3.9.
 */
export function progressAtCheckpoint(position: Pick<TrainingPosition, 'epoch' | 'step'>, epochs: number): TrainingProgress {
  return {stepsDone: position.step, stepsPerEpoch: position.epoch > 0 ? position.step / position.epoch : 1, epochs};
}

/** The JSON header of a checkpoint file (format 'mslk-checkpoint', version 1). */
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
}

/**
 * Writes `model`'s weights (all of model.weights, in order, as float32) and `optimizer`'s state at `position` to
 * `file`, atomically. Layout: 'MSLKCKPT', uint32 LE header length, JSON header padded to 4 bytes, then the arrays.
 */
export async function saveCheckpoint(file: string, model: tf.LayersModel, optimizer: Optimizer, position: TrainingPosition): Promise<void> {
  const weights = model.weights.map((w) => w.read().dataSync() as Float32Array);
  const slots = optimizer.state();
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
 * Reads a checkpoint file. Throws the file system's error (ENOENT when absent), or an Error naming the file when it
 * is not a checkpoint or is truncated.
 */
export async function readCheckpoint(file: string): Promise<Checkpoint> {
  const bytes = await readFile(file);
  if (bytes.subarray(0, MAGIC.length).toString('ascii') !== MAGIC) throw new Error(`${file}: not an mslk checkpoint`);
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8')) as CheckpointHeader;
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
  if (offset !== bytes.length) throw new Error(`${file}: truncated or corrupt checkpoint (${bytes.length} bytes, expected ${offset})`);
  return {header, weights, optimizer};
}

/**
 * Loads a checkpoint's weights into `model` (same architecture) and, when given, its state into `optimizer`.
 * Throws an Error (one line) when the number of weight arrays differs: the checkpoint belongs to another config.
 */
export function restoreCheckpoint(checkpoint: Checkpoint, model: tf.LayersModel, optimizer?: Optimizer): void {
  const {weights, header} = checkpoint;
  if (weights.length !== model.weights.length) throw new Error(`checkpoint has ${weights.length} weight arrays, the model ${model.weights.length}: it belongs to another config`);
  tf.tidy(() => model.setWeights(weights.map((values, i) => tf.tensor(values, header.weights[i]!.shape))));
  optimizer?.load(checkpoint.optimizer, header.optimizerSteps);
}
