// The training protocol of a set of runs in one line, for the header of a results table and of a report: a number
// is only read right beside how it was made (a 10-epoch smoke study is not a 300-epoch paper protocol).
import type {RunConfig} from './config.js';

/** The values of `pick` over `configs`, distinct, in first-seen order, joined with ' or '. */
function values(configs: readonly RunConfig[], pick: (c: RunConfig) => string): string {
  return [...new Set(configs.map(pick))].join(' or ');
}

/** A learning rate as people write it: 0.004, 1e-4. */
function formatLr(lr: number): string {
  return lr >= 1e-3 ? String(Number(lr.toPrecision(3))) : lr.toExponential();
}

/** `cosine`, `cosine after 1 warm-up epoch`, `poly 0.9`, `constant`. */
function formatSchedule(c: RunConfig): string {
  const s = c.train.schedule;
  const decay = s.name === 'poly' ? `poly ${s.power}` : s.name;
  return s.warmupEpochs > 0 ? `${decay} after ${s.warmupEpochs} warm-up epoch${s.warmupEpochs === 1 ? '' : 's'}` : decay;
}

/**
 * One line stating how the runs were trained and evaluated: image size (px), epochs, batch, optimiser and peak
 * learning rate, schedule, loss, the checkpoint evaluated. Where the runs differ, the values are listed with 'or'.
 * E.g. `64 px, 10 epochs, batch 8, adam lr 0.004, cosine after 1 warm-up epoch, bce-dice loss, last checkpoint`.
 * Empty string for no configs.
 */
export function describeProtocol(configs: readonly RunConfig[]): string {
  if (configs.length === 0) return '';
  return [
    `${values(configs, (c) => String(c.data.size))} px`,
    `${values(configs, (c) => String(c.train.epochs))} epochs`,
    `batch ${values(configs, (c) => String(c.train.batchSize))}`,
    values(configs, (c) => `${c.train.optimizer.name} lr ${formatLr(c.train.optimizer.lr)}`),
    values(configs, formatSchedule),
    `${values(configs, (c) => c.train.loss.name)} loss`,
    `${values(configs, (c) => c.eval.checkpoint)} checkpoint`,
  ].join(', ');
}
