import {stat} from 'node:fs/promises';
import {join} from 'node:path';
import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {backendChoice, BACKEND_NAMES, selectBackend} from '../engine/backends.js';
import {loadModelConfig} from '../models/config/load.js';
import {exportModel, type ExportResult} from '../models/export/export-model.js';

export default class Export extends MslkCommand {
  static override description = 'Export model weights as safetensors (stable names, resolved config in the header) or in the TF.js format. ' +
    'Takes a model config (weights = seeded initial weights); run directories come with training.';
  static override examples = [
    '<%= config.bin %> export configs/models/ms-lkseg.yaml --format safetensors --out ms-lkseg.safetensors',
    '<%= config.bin %> export unet --set baseWidth=16 --format tfjs --out exported/unet',
  ];
  static override args = {
    source: Args.string({description: 'A model config file (YAML/JSON) or a registered model name', required: true}),
  };
  static override flags = {
    format: Flags.string({description: 'Output format', options: ['safetensors', 'tfjs'], default: 'safetensors'}),
    out: Flags.string({description: 'Output file (safetensors) or directory (tfjs)', required: true}),
    set: Flags.string({description: 'Override a knob: key.path=value (repeatable)', multiple: true, default: []}),
    seed: Flags.integer({description: 'Seed of the initial weights', default: 0}),
    fused: Flags.boolean({description: 'Re-parameterise LD/ReDW blocks first (default: the config\'s ld.fuseForInference, else true)', allowNo: true}),
    backend: Flags.string({description: 'TF.js backend (default: MSLK_BACKEND or auto)', options: ['auto', ...BACKEND_NAMES]}),
  };

  async run(): Promise<ExportResult> {
    const {args, flags} = await this.parse(Export);
    const info = await stat(args.source).catch(() => undefined);
    if (info?.isDirectory()) {
      const hasConfig = await stat(join(args.source, 'config.json')).then(() => true, () => false);
      throw new Error(`${args.source} is a directory${hasConfig ? ' (a run directory?)' : ''}: exporting trained runs comes with the training issue; pass a model config to export seeded initial weights`);
    }
    const config = await loadModelConfig(args.source, flags.set);
    await selectBackend(backendChoice(flags.backend));
    const fused = flags.fused ?? (config.model === 'ms-lkseg' ? config.ld.fuseForInference : true);
    const result = await exportModel(config, {format: flags.format as 'safetensors' | 'tfjs', out: flags.out, seed: flags.seed, fused});
    this.log(`Wrote ${result.files.join(', ')}: ${result.model}, ${result.tensors} tensors, ${result.params.toLocaleString('en-US')} values, ${result.fused ? 'fused' : 'unfused'}, seed ${result.seed} (initial weights: no training run)`);
    return result;
  }
}
