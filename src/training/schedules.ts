// Learning-rate schedules, evaluated per optimisation step: constant, poly(power), cosine to minLr, each with an
// optional linear warm-up from 0.
import type {ScheduleConfig} from '../runs/config.js';

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
