import {Args, Flags} from '@oclif/core';
import {Document, isScalar, visit} from 'yaml';
import {MslkCommand} from '../../cli/base-command.js';
import {PREPARED_IMAGE_CHANNELS} from '../../datasets/cache-file.js';
import {checkModelForData} from '../../models/registry.js';
import {resolveConfigSource, type ResolvedConfigSource} from '../../runs/config-source.js';

export default class ConfigShow extends MslkCommand {
  static override description = 'Print the fully resolved config (extends merged, --set applied, every default filled) as YAML, ' +
    'or JSON with --json: what `train` would run. A model config file or model name prints the resolved model config ' +
    '(a model config file with --dataset, --seed or --set of data/train/eval keys prints the run config `train` would run).';
  static override examples = [
    '<%= config.bin %> config show configs/quickstart.yaml --set train.epochs=3',
    '<%= config.bin %> config show configs/torch-twin/ms-lkseg.yaml --dataset busi --json',
    '<%= config.bin %> config show ms-lkseg --set ld.largeKernel=31',
  ];
  static override args = {
    config: Args.string({description: 'A run config file, a model config file or a registered model name', required: true}),
  };
  static override flags = {
    set: Flags.string({description: 'Override a key: key.path=value (repeatable)', multiple: true, default: []}),
    dataset: Flags.string({description: 'Dataset name or folder (sets data.dataset; run configs only)'}),
    seed: Flags.integer({description: 'Run seed (run configs only)'}),
  };

  /** With --json, the resolved config itself (usable as a config file). */
  async run(): Promise<ResolvedConfigSource['config']> {
    const {args, flags} = await this.parse(ConfigShow);
    const resolved = await resolveConfigSource(args.config, {
      set: flags.set, ...(flags.dataset === undefined ? {} : {dataset: flags.dataset}), ...(flags.seed === undefined ? {} : {seed: flags.seed}),
    });
    if (resolved.kind === 'run') {
      // What train refuses before preparing anything (a model that cannot run on RGB images at data.size).
      const fit = checkModelForData(resolved.config.model, {size: resolved.config.data.size, imageChannels: PREPARED_IMAGE_CHANNELS, maskChannels: 1});
      for (const warning of fit.warnings) this.logToStderr(`warning: ${warning}`);
    }
    this.log(`# ${resolved.kind === 'run' ? 'run' : 'model'} config resolved from ${args.config}`);
    this.log(configYaml(resolved.config));
    return resolved.config;
  }
}

/** YAML of a config as one would write it: lists of plain values inline (`kernels: [3, 5, 7, 9]`). */
function configYaml(config: object): string {
  const document = new Document(config);
  visit(document, {Seq: (_, node) => void (node.flow = node.items.every((item) => isScalar(item)))});
  return document.toString({flowCollectionPadding: false}).trimEnd();
}
