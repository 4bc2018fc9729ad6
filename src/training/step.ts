// The one training step of mslk: forward in training mode, the segmentation loss (of a model with several heads,
// their losses aggregated: src/training/head-aggregation.ts), the memory-releasing backward
// pass (src/engine/gradients.ts) and the project's optimiser (src/training/optimizers.ts). The training loop, the
// model profiler (`mslk models profile`) and the engine benchmark (`mslk bench engine`) all run this function, so
// the step they time is the step training runs.
import * as tf from '@tensorflow/tfjs';
import {variableGradsReleasing} from '../engine/gradients.js';
import {SINGLE_OUTPUT, type HeadAggregation, type ModelOutputs} from '../models/heads.js';
import type {LossConfig, OptimizerConfig} from '../runs/config.js';
import {trainingLoss} from './head-aggregation.js';
import {Optimizer} from './optimizers.js';

/** Something a step can train: a forward pass to logits and the variables it learns. */
export interface Trainable {
  /**
   * Logits [B, H, W, 1] of images [B, H, W, C] (NHWC), in training mode (batch statistics, BN updates): one map,
   * or one per head of a model with several outputs (then `headLoss` says how their losses combine).
   */
  forward(x: tf.Tensor4D): tf.Tensor4D | tf.Tensor4D[];
  /** The trainable variables, in a fixed order (the optimiser keys its state by position). */
  readonly variables: readonly tf.Variable[];
  /** How the losses of several heads make the training loss (src/training/head-aggregation.ts); unused for one. */
  readonly headLoss?: HeadAggregation;
}

/**
 * A layers model as a Trainable: `model.apply(x, {training: true})`, its trainable weights and, for a model with
 * several outputs, the aggregation `outputs` (the family's, outputsOf) names. Throws an Error (one line) when the
 * model has another number of outputs than `outputs.heads`.
 */
export function trainableOf(model: tf.LayersModel, outputs: ModelOutputs = SINGLE_OUTPUT): Trainable {
  if (model.outputs.length !== outputs.heads) {
    throw new Error(`model '${model.name}' has ${model.outputs.length} outputs, its family declares ${outputs.heads}: train it with the family's outputs (outputsOf)`);
  }
  return {
    forward: (x) => model.apply(x, {training: true}) as tf.Tensor4D | tf.Tensor4D[],
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    ...(outputs.heads > 1 ? {headLoss: outputs.trainingLoss} : {}),
  };
}

export interface TrainingStepInput {
  trainable: Trainable;
  optimizer: Optimizer;
  loss: LossConfig;
  /** Images [B, H, W, C] (NHWC), values in [0, 1]. Not disposed. */
  x: tf.Tensor4D;
  /** Binary masks [B, H, W, 1] in {0, 1}. Not disposed. */
  y: tf.Tensor4D;
  /** Learning rate of this step. */
  lr: number;
}

export interface TrainingStepResult {
  /** The loss of the batch before the update (mean over pixels and images, see losses.ts). */
  loss: number;
  /** False when the loss was not finite: then the weights and the optimiser state are left as they were. */
  updated: boolean;
  /** Bytes of live tensor memory right after the update, gradients still held (the step's high-water mark). */
  liveTensorBytes: number;
}

/**
 * One optimisation step of `trainable` on (x, y): forward, `trainingLoss` (segmentationLoss of the one output, or
 * the heads' losses aggregated by `trainable.headLoss`), gradients by
 * `variableGradsReleasing` (bit-identical to tf.variableGrads, less memory), `optimizer.apply` at `lr`.
 * Disposes every tensor it made (the optimiser's slots, created at the first step, persist by design).
 * A non-finite loss skips the update so that the caller can stop with the weights intact. The loss is read back
 * asynchronously (the step's one device sync): a synchronous read fails on webgpu in Node and stalls a GPU.
 */
export async function trainingStep(input: TrainingStepInput): Promise<TrainingStepResult> {
  const {trainable, optimizer, x, y} = input;
  const variables = [...trainable.variables];
  const {value, grads} = variableGradsReleasing(() => trainingLoss(input.loss, y, trainable.forward(x), trainable.headLoss), variables);
  try {
    const loss = (await value.data())[0]!;
    if (!Number.isFinite(loss)) return {loss, updated: false, liveTensorBytes: tf.memory().numBytes};
    // A variable the loss does not reach (a head the `last` rule leaves out) has no gradient and is not updated.
    optimizer.apply(variables, variables.map((v) => grads[v.name]), input.lr);
    return {loss, updated: true, liveTensorBytes: tf.memory().numBytes};
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/** What a repeated step needs besides the data: the optimiser's and the loss's settings, at a constant rate. */
export interface StepSettings {
  optimizer: OptimizerConfig;
  loss: LossConfig;
}

/** A trainable with its own optimiser, stepped again and again at the configured learning rate. */
export interface StepRunner {
  /** One `trainingStep` on (x, y); resolves to the loss, read back from the device. Rejects when it is not finite. */
  step(x: tf.Tensor4D, y: tf.Tensor4D): Promise<number>;
  /** Frees the optimiser's state (not the trainable's variables). */
  dispose(): void;
}

/**
 * The step the profiler and the engine benchmark time: `trainingStep` with a fresh project `Optimizer` at the
 * constant rate `settings.optimizer.lr` (the training loop's first step, before any schedule moves the rate).
 */
export function stepRunner(trainable: Trainable, settings: StepSettings): StepRunner {
  const optimizer = new Optimizer(settings.optimizer);
  return {
    async step(x, y) {
      const result = await trainingStep({trainable, optimizer, loss: settings.loss, x, y, lr: settings.optimizer.lr});
      if (!result.updated) throw new Error(`the training step's loss became ${result.loss}; lower the learning rate or check the input`);
      return result.loss;
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
