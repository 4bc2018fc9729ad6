// The training loss of a model with several outputs: the rules of HeadAggregation (src/models/heads.ts) applied to
// the configured base loss (segmentationLoss). A single output takes the base loss itself, so every single-output
// family trains exactly as it did before multi-output models existed.
import * as tf from '@tensorflow/tfjs';
import type {HeadAggregation} from '../models/heads.js';
import type {LossConfig} from '../runs/config.js';
import {segmentationLoss} from './losses.js';

/**
 * The sums MUTATION takes the loss of: for every non-empty subset S of `heads` (k of them), sum_{h in S} p_h, in
 * the order of the bit masks 1 .. 2^k - 1 (bit h set = head h in S), each added in head order (p_0 + p_2, never
 * p_2 + p_0). Built incrementally: the sum of S is the sum of S without its highest head, plus that head, so the
 * 2^k - 1 sums take 2^k - 1 - k additions. Call inside tf.tidy (the sums are new tensors, the heads are returned
 * as they are for the one-head subsets). Rahman et al., EMCAD, CVPR 2024 (MUTATION).
 */
export function subsetSums(heads: readonly tf.Tensor4D[]): tf.Tensor4D[] {
  const sums: tf.Tensor4D[] = [];
  for (let mask = 1; mask < 2 ** heads.length; mask++) {
    const highest = 31 - Math.clz32(mask);
    const rest = mask & ~(1 << highest);
    sums.push(rest === 0 ? heads[highest]! : tf.add(sums[rest - 1]!, heads[highest]!));
  }
  return sums;
}

/**
 * Combines the base loss of a model's heads by `rule` (see HeadAggregation): `baseLoss(logits)` is the loss of one
 * logit map against the batch's masks. MUTATION adds the base losses of the 2^k - 1 subset sums (subsetSums'
 * order), deep supervision the base losses of the k heads, `last` returns the named head's loss. With one head
 * every rule returns that head's base loss itself (no addition). A scalar; call inside tf.tidy. Throws an Error
 * (one line) on no heads or a named head out of range.
 */
export function aggregateHeadLosses(rule: HeadAggregation, baseLoss: (logits: tf.Tensor4D) => tf.Scalar, heads: readonly tf.Tensor4D[]): tf.Scalar {
  if (heads.length === 0) throw new Error('no head to take a loss of');
  const add = (losses: tf.Scalar[]) => losses.reduce((a, b) => tf.add(a, b) as tf.Scalar);
  switch (rule.rule) {
    case 'mutation':
      return add(subsetSums(heads).map(baseLoss));
    case 'deep':
      return add(heads.map(baseLoss));
    case 'last': {
      const head = heads[rule.head];
      if (head === undefined) throw new Error(`the loss names head ${rule.head}, but the model returns ${heads.length} (0-based)`);
      return baseLoss(head);
    }
  }
}

/**
 * The training loss of a forward pass: `outputs` is the model's training-mode result, one logits tensor (the base
 * loss of it: segmentationLoss, as every single-output family always had) or its heads, each NHWC
 * [batch, height, width, 1] like `labels` (aggregateHeadLosses by `rule`, which a list of several heads needs).
 * A scalar the caller disposes; intermediate tensors are freed.
 */
export function trainingLoss(config: LossConfig, labels: tf.Tensor4D, outputs: tf.Tensor4D | readonly tf.Tensor4D[], rule?: HeadAggregation): tf.Scalar {
  if (!Array.isArray(outputs)) return segmentationLoss(config, labels, outputs as tf.Tensor4D);
  const heads = outputs as readonly tf.Tensor4D[];
  if (heads.length === 1) return segmentationLoss(config, labels, heads[0]!);
  if (rule === undefined) throw new Error(`the model returns ${heads.length} maps but no loss aggregation was given: pass its family's outputs().trainingLoss`);
  return tf.tidy(() => aggregateHeadLosses(rule, (logits) => segmentationLoss(config, labels, logits), heads));
}
