import {MslkCommand} from '../../cli/base-command.js';
import {describeSchema, formatSchemaRows, type SchemaRow} from '../../config/describe-schema.js';
import {runSettingsSchema} from '../../runs/config.js';

export default class ConfigKeys extends MslkCommand {
  static override description = 'List the keys of a run config (data, train, eval, seed): type, default, description (read from the schema). ' +
    'The model keys are listed by `models list`.';
  static override examples = ['<%= config.bin %> config keys', '<%= config.bin %> config keys --json'];

  async run(): Promise<{keys: SchemaRow[]}> {
    await this.parse(ConfigKeys);
    const keys = describeSchema(runSettingsSchema);
    for (const line of formatSchemaRows(keys, '')) this.log(line);
    this.log('model: the model config; `mslk models list` shows its keys per family');
    return {keys};
  }
}
