// The outputs of a model family: how many logit maps a built model returns (EMCAD: one per decoder stage, deep
// supervision), how training combines their losses, and which map inference uses. A family says so through its
// `outputs` hook (ModelFamily, registry.ts); every single-output family shares SINGLE_OUTPUT. The loss rules
// themselves live in src/training/head-aggregation.ts (src/models sits below src/training); this file holds the
// description and the one thing src/models needs to do with it: turn the heads into the inference map.
import * as tf from '@tensorflow/tfjs';

/**
 * How the training loss combines the losses of a model's heads (p_1 .. p_k, logits, in the order the model
 * returns them), given the configured base loss L (train.loss) and the mask y:
 * - `mutation`: MUTATION, multi-scale loss aggregation (Rahman, Munir, Marculescu, "EMCAD: Efficient Multi-scale
 *   Convolutional Attention Decoding for Medical Image Segmentation", CVPR 2024): for every non-empty subset S of
 *   the heads, L(sum_{h in S} p_h, y), the 2^k - 1 losses added;
 * - `deep`: deep supervision, sum over h of L(p_h, y);
 * - `last`: L(p_head, y), the one head the family names (EMCAD's "last layer only": its final map).
 */
export type HeadAggregation = {rule: 'mutation'} | {rule: 'deep'} | {rule: 'last'; head: number};

/** The map inference uses (evaluation, prediction, validation, profile latency): one head (0-based), or the sum of all. */
export type InferenceMap = {kind: 'head'; head: number} | {kind: 'sum'};

/**
 * The outputs of a model built from one config: `heads` logit maps, each NHWC [N, H, W, outChannels] at the input
 * size, in the order the family builds them (EMCAD: shallowest first, [p1, p2, p3, p4]); the training loss's
 * aggregation over them and the inference map.
 */
export interface ModelOutputs {
  /** Outputs of the built model (>= 1); a model with one output returns a tensor, not a list. */
  heads: number;
  /** How the training loss combines the heads' losses (irrelevant with one head: all rules give the base loss). */
  trainingLoss: HeadAggregation;
  /** Which map evaluation and prediction threshold (its sigmoid). */
  inference: InferenceMap;
}

/** Every single-output family: one logits map, trained on its own loss and inferred as it is. */
export const SINGLE_OUTPUT: ModelOutputs = Object.freeze({heads: 1, trainingLoss: {rule: 'last', head: 0}, inference: {kind: 'head', head: 0}}) as ModelOutputs;

/**
 * Checks `outputs` (a family's answer) and returns it. Throws an Error (one line) naming `family` when `heads` is
 * not a positive integer or a named head is out of range: a bug of that family's `outputs` hook.
 */
export function checkModelOutputs(outputs: ModelOutputs, family: string): ModelOutputs {
  const {heads, trainingLoss, inference} = outputs;
  const bad = (what: string) => new Error(`model family '${family}': its outputs hook ${what}; fix the hook`);
  if (!Number.isInteger(heads) || heads < 1) throw bad(`declares ${heads} heads (need an integer >= 1)`);
  const inRange = (h: number) => Number.isInteger(h) && h >= 0 && h < heads;
  if (trainingLoss.rule === 'last' && !inRange(trainingLoss.head)) throw bad(`names head ${trainingLoss.head} for the loss, of ${heads} heads (0-based)`);
  if (inference.kind === 'head' && !inRange(inference.head)) throw bad(`names head ${inference.head} for inference, of ${heads} heads (0-based)`);
  return outputs;
}

/** One line for people: 'head 1 of 4', 'sum of 4 heads' (heads numbered from 1). */
export function describeInferenceMap(inference: InferenceMap, heads: number): string {
  return inference.kind === 'sum' ? `sum of ${heads} heads` : `head ${inference.head + 1} of ${heads}`;
}

/**
 * The inference map of a forward pass's result: a single tensor is returned as it is (a single-output model, or
 * an inference form that already has one output); of a list of heads, the head `inference` names or their sum,
 * added in head order (p_1 + p_2 + ..., as the Add layer of inferenceGraph adds them, so both give the same
 * numbers). Tensors not returned are not disposed (call it inside tf.tidy). Throws an Error (one line) when
 * given several heads without `inference`, or a head index out of range.
 */
export function inferenceLogits(outputs: tf.Tensor | tf.Tensor[], inference?: InferenceMap): tf.Tensor4D {
  if (!Array.isArray(outputs)) return outputs as tf.Tensor4D;
  if (outputs.length === 1) return outputs[0] as tf.Tensor4D;
  if (inference === undefined) throw new Error(`the model returns ${outputs.length} maps but no inference map was given: pass its family's outputs().inference`);
  if (inference.kind === 'sum') return outputs.reduce((sum, p) => tf.add(sum, p)) as tf.Tensor4D;
  const head = outputs[inference.head];
  if (head === undefined) throw new Error(`the inference map names head ${inference.head}, but the model returns ${outputs.length} (0-based)`);
  return head as tf.Tensor4D;
}
