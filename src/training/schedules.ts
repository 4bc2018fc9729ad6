// Learning-rate schedules, evaluated per optimisation step: constant, poly(power), cosine to minLr, each with an
// optional linear warm-up from 0.
import type {ScheduleConfig} from '../runs/config.js';

/**
 * The learning rate of optimisation step `step`, 0-based (the first update of the run is step 0; a resumed run
 * continues the count). `totalSteps` = epochs x stepsPerEpoch. Warm-up over round(warmupEpochs x stepsPerEpoch)
 * steps rises linearly to `baseLr`, reaching it at the warm-up's last step ((step + 1) / warmup); afterwards
 * t = (step - warmup) / (totalSteps - warmup), clamped to [0, 1]: constant baseLr, poly
 * minLr + (baseLr - minLr)(1 - t)^power, or cosine minLr + (baseLr - minLr)(1 + cos(pi t)) / 2 (SGDR without
 * restarts, Loshchilov & Hutter 2017). Same unit as `baseLr`; never throws.
 */
export function learningRateAt(schedule: ScheduleConfig, baseLr: number, step: number, totalSteps: number, stepsPerEpoch: number): number {
  const warmup = Math.round(schedule.warmupEpochs * stepsPerEpoch);
  if (step < warmup) return (baseLr * (step + 1)) / warmup;
  const span = Math.max(1, totalSteps - warmup);
  const t = Math.min(1, (step - warmup) / span);
  switch (schedule.name) {
    case 'constant':
      return baseLr;
    case 'poly':
      return schedule.minLr + (baseLr - schedule.minLr) * (1 - t) ** schedule.power;
    case 'cosine':
      return schedule.minLr + (baseLr - schedule.minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
  }
}
