// `mslk models profile` with the training step training runs: src/models/profile times whatever step it is given
// (src/models sits below src/training and must not import it); this file gives it `stepRunner` (src/training/step.ts)
// at the default `train` settings (optimiser, learning rate, loss).
import {outputsOf, type ModelConfig} from '../models/registry.js';
import {profileModel, type ModelProfile, type ProfileOptions} from '../models/profile/profile.js';
import {defaultTrainConfig} from '../runs/config.js';
import {stepRunner, trainableOf, type StepSettings} from './step.js';

/**
 * Profiles `config` (see profileModel), timing the project's training step at `settings` (default: `train` defaults),
 * with the loss over the heads its family names (outputsOf) for a model with several outputs.
 */
export async function profileModelTraining(config: ModelConfig, options: Omit<ProfileOptions, 'trainingStep'>, settings: StepSettings = defaultTrainConfig()): Promise<ModelProfile> {
  const outputs = outputsOf(config);
  return profileModel(config, {...options, trainingStep: (model) => stepRunner(trainableOf(model, outputs), settings)});
}
