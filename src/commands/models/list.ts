import {MslkCommand} from '../../cli/base-command.js';
import {defaultModelConfig, MODEL_NAMES, MODEL_REGISTRY, type ModelConfig, type ModelName} from '../../models/registry.js';

interface ModelListing {
  name: ModelName;
  description: string;
  knobs: Record<string, string>;
  defaults: ModelConfig;
}

export default class ModelsList extends MslkCommand {
  static override description = 'List the registered models, their knobs and the defaults';
  static override examples = ['<%= config.bin %> models list', '<%= config.bin %> models list --json'];

  async run(): Promise<{models: ModelListing[]}> {
    await this.parse(ModelsList);
    const models = MODEL_NAMES.map((name) => ({
      name, description: MODEL_REGISTRY[name].description, knobs: MODEL_REGISTRY[name].knobs, defaults: defaultModelConfig(name),
    }));
    for (const m of models) {
      this.log(`${m.name}: ${m.description}`);
      for (const [knob, what] of Object.entries(m.knobs)) {
        const value = knob.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], m.defaults);
        this.log(`  ${knob.padEnd(22)} ${JSON.stringify(value).padEnd(16)} ${what}`);
      }
    }
    return {models};
  }
}
