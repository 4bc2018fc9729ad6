// Config fields shared by every model family.
import {z} from 'zod';

export const commonFields = {
  inChannels: z.number().int().min(1).default(3),
  outChannels: z.number().int().min(1).default(1),
  /** Widths of the 5 levels are baseWidth * [1, 2, 4, 8, 16]. */
  baseWidth: z.number().int().min(1).max(1024).default(32),
  downsample: z.enum(['maxpool', 'avgpool']).default('maxpool'),
  upsample: z.enum(['bilinear', 'nearest']).default('bilinear'),
};

/** Inputs must be divisible by 16: four 2x down-samplings. */
export const SIZE_DIVISOR = 16;

export interface BuildOptions {
  /** Seed of the weight initialisers (default 0). */
  seed?: number;
  /** Fixed input height and width (needed to count MACs); default any size divisible by 16. */
  inputSize?: number | null;
  /** Build re-parameterisable blocks directly in their inference form. */
  fused?: boolean;
}

/** An odd positive integer (kernel sizes with 'same' padding). */
export const oddKernel = z.number().int().positive().refine((k) => k % 2 === 1, {message: 'kernel sizes must be odd'});
