import {MslkCommand} from '../../cli/base-command.js';
import {describeSchema, formatSchemaRows, type SchemaRow} from '../../config/describe-schema.js';
import {defaultModelConfig, MODEL_NAMES, MODEL_REGISTRY, type ModelConfig, type ModelName} from '../../models/registry.js';

interface ModelListing {
  name: ModelName;
  description: string;
  /** Every key of the family's config, from its schema: path, type, default, description. */
  keys: SchemaRow[];
  defaults: ModelConfig;
}

export default class ModelsList extends MslkCommand {
  static override description = 'List the registered models and every key of their configs: type, default, description (read from the config schemas)';
  static override examples = ['<%= config.bin %> models list', '<%= config.bin %> models list --json'];

  async run(): Promise<{models: ModelListing[]}> {
    await this.parse(ModelsList);
    const models = MODEL_NAMES.map((name) => ({
      name, description: MODEL_REGISTRY[name].description, keys: describeSchema(MODEL_REGISTRY[name].schema), defaults: defaultModelConfig(name),
    }));
    for (const m of models) {
      this.log(`${m.name}: ${m.description}`);
      for (const line of formatSchemaRows(m.keys.filter((k) => k.path !== 'model'))) this.log(line);
      this.log('');
    }
    return {models};
  }
}
