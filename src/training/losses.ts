// Segmentation losses on logits: weighted BCE + soft Dice (the default of this family of papers), or either
// alone. Soft Dice is computed per image (with smoothing) and averaged over the batch.
import * as tf from '@tensorflow/tfjs';
import type {LossConfig} from '../runs/config.js';

/**
 * Mean binary cross-entropy over every pixel of the batch, from logits (pre-sigmoid) z and labels y in {0, 1}, both
 * NHWC [batch, height, width, 1], in the numerically stable form max(z,0) - z*y + log(1 + exp(-|z|)) (nats).
 */
export function bceWithLogits(labels: tf.Tensor4D, logits: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const z = logits;
    return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))) as tf.Scalar;
  });
}

/**
 * Soft Dice loss from logits: 1 - mean over the images of the batch of (2 sum(p y) + s) / (sum p + sum y + s), with
 * p = sigmoid(logits) and the sums over each image's pixels; labels and logits NHWC [batch, height, width, 1];
 * `smooth` s > 0 keeps an image with empty mask and prediction at loss 0. In [0, 1].
 */
export function softDiceLoss(labels: tf.Tensor4D, logits: tf.Tensor4D, smooth: number): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits);
    const inter = tf.sum(tf.mul(p, labels), [1, 2, 3]);
    const total = tf.add(tf.sum(p, [1, 2, 3]), tf.sum(labels, [1, 2, 3]));
    const dice = tf.div(tf.add(tf.mul(inter, 2), smooth), tf.add(total, smooth));
    return tf.sub(1, tf.mean(dice)) as tf.Scalar;
  });
}

/**
 * The training loss of `config` on a batch: takes **logits** (the model's raw output, before the sigmoid) and
 * binary labels, NHWC [batch, height, width, 1]; 'bce', 'dice' or bceWeight x BCE + diceWeight x soft Dice
 * ('bce-dice'). A scalar; the caller disposes it. Shapes must match (TF.js throws otherwise).
 */
export function segmentationLoss(config: LossConfig, labels: tf.Tensor4D, logits: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    switch (config.name) {
      case 'bce':
        return bceWithLogits(labels, logits);
      case 'dice':
        return softDiceLoss(labels, logits, config.smooth);
      case 'bce-dice':
        return tf.add(tf.mul(bceWithLogits(labels, logits), config.bceWeight), tf.mul(softDiceLoss(labels, logits, config.smooth), config.diceWeight)) as tf.Scalar;
    }
  });
}
