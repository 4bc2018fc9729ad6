import {stat} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {modelConfigKeys} from '../cli/config-keys.js';
import {backendFlag, checkpointFlag, expectPathKind} from '../cli/flags.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {loadModelConfig} from '../models/config/load.js';
import {exportModel, type ExportResult} from '../models/export/export-model.js';
import {openRun} from '../runs/open-run.js';

export default class Export extends MslkCommand {
  static override description = 'Export model weights as safetensors (stable names, resolved config in the header) or in the TF.js format. ' +
    'Takes a run directory (its trained weights) or a model config (seeded initial weights).';
  static override examples = [
    '<%= config.bin %> export configs/models/ms-lkseg.yaml --format safetensors --out ms-lkseg.safetensors',
    '<%= config.bin %> export unet --set baseWidth=16 --format tfjs --out exported/unet',
    '<%= config.bin %> export runs/3f2a9c1b7d4e --checkpoint best --format safetensors --out trained.safetensors',
  ];
  static override args = {
    source: Args.string({description: 'A run directory, a model config file (YAML/JSON) or a registered model name', required: true}),
  };
  static override flags = {
    format: Flags.option({description: 'Output format', options: ['safetensors', 'tfjs'] as const, default: 'safetensors'})(),
    out: Flags.string({description: 'Output file (safetensors) or directory (tfjs)', required: true}),
    set: Flags.string({description: 'Override a knob: key.path=value (repeatable)', multiple: true, default: []}),
    seed: Flags.integer({description: 'Seed of the initial weights (configs only)', default: 0}),
    checkpoint: checkpointFlag({description: 'Checkpoint of a run directory'}),
    fused: Flags.boolean({description: 'Re-parameterise LD/ReDW blocks first (default: the config\'s ld.fuseForInference, else true)', allowNo: true}),
    backend: backendFlag(),
  };

  static override setKeys = modelConfigKeys;

  async run(): Promise<ExportResult> {
    const {args, flags} = await this.parse(Export);
    // safetensors is one file, the TF.js format a folder: --out is checked once the format is known.
    await expectPathKind('--out', flags.out, flags.format === 'tfjs' ? 'directory' : 'file');
    const info = await stat(args.source).catch(() => undefined);
    await selectBackend(backendChoice(flags.backend));
    const format = flags.format;
    if (info?.isDirectory()) {
      if (!(await stat(join(args.source, 'config.json')).then(() => true, () => false))) {
        throw new Error(`${args.source} is a directory without config.json: pass a run directory written by \`mslk train\`, or a model config`);
      }
      if (flags.set.length > 0) throw new Error('--set changes a config, not a trained run: export the run as it is, or a config with --set');
      const opened = await openRun(args.source, flags.checkpoint);
      try {
        const config = opened.config.model;
        const fused = flags.fused ?? (config.model === 'ms-lkseg' ? config.ld.fuseForInference : true);
        const description = `trained: run ${basename(opened.run.path)}, ${flags.checkpoint} checkpoint, epoch ${opened.epoch}`;
        const result = await exportModel(config, {format, out: flags.out, seed: opened.config.seed, fused, trained: {model: opened.model, description}});
        this.log(`Wrote ${result.files.join(', ')}: ${result.model}, ${result.tensors} tensors, ${result.params.toLocaleString('en-US')} values, ${result.fused ? 'fused' : 'unfused'} (${description})`);
        return result;
      } finally {
        opened.model.dispose();
      }
    }
    const config = await loadModelConfig(args.source, flags.set);
    const fused = flags.fused ?? (config.model === 'ms-lkseg' ? config.ld.fuseForInference : true);
    const result = await exportModel(config, {format, out: flags.out, seed: flags.seed, fused});
    this.log(`Wrote ${result.files.join(', ')}: ${result.model}, ${result.tensors} tensors, ${result.params.toLocaleString('en-US')} values, ${result.fused ? 'fused' : 'unfused'}, seed ${result.seed} (initial weights: no training run)`);
    return result;
  }
}
