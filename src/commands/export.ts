import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {modelConfigKeys} from '../cli/config-keys.js';
import {backendFlag, checkpointFlag, expectOutputDir, expectOutputFile} from '../cli/flags.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {loadModelConfig} from '../models/load-config.js';
import {exportModel, type ExportResult} from '../models/export/export-model.js';
import {familyOf} from '../models/registry.js';
import {exportRun, isRunReference} from '../runs/export-run.js';

/** ', every head (inference: head 1 of 4)' for a model with several outputs, else nothing. */
const heads = (result: ExportResult) => (result.inference ? `, every head (inference: ${result.inference})` : '');

export default class Export extends MslkCommand {
  static override description = 'Export model weights as safetensors (stable names, resolved config in the header) or in the TF.js format. ' +
    'Takes a run directory (its trained weights) or a model config (seeded initial weights).';
  static override examples = [
    '<%= config.bin %> export configs/models/ms-lkseg.yaml --format safetensors --out exported/ms-lkseg.safetensors',
    '<%= config.bin %> export unet --set baseWidth=16 --format tfjs --out exported/unet',
    '<%= config.bin %> export runs/3f2a9c1b7d4e --checkpoint best --format safetensors --out exported/trained.safetensors',
  ];
  static override args = {
    source: Args.string({description: 'A run (its directory, or its id: runs/<id> or <id> with --runs), a model config file (YAML/JSON) or a registered model name', required: true}),
  };
  static override flags = {
    format: Flags.option({description: 'Output format', options: ['safetensors', 'tfjs'] as const, default: 'safetensors'})(),
    out: Flags.string({description: 'Output file (safetensors) or directory (tfjs)', required: true}),
    set: Flags.string({description: 'Override a knob: key.path=value (repeatable)', multiple: true, default: []}),
    seed: Flags.integer({description: 'Seed of the initial weights (configs only)', default: 0}),
    checkpoint: checkpointFlag({description: 'Checkpoint of a run directory'}),
    runs: Flags.string({description: 'Folder of run directories, where a bare run id is looked up', default: 'runs'}),
    fused: Flags.boolean({description: 'Re-parameterise LD/ReDW blocks first (default: what the model family decides, e.g. ms-lkseg\'s ld.fuseForInference)', allowNo: true}),
    backend: backendFlag(),
  };

  static override setKeys = modelConfigKeys;

  async run(): Promise<ExportResult> {
    const {args, flags} = await this.parse(Export);
    // safetensors is one file, the TF.js format a folder: --out is checked once the format is known.
    await (flags.format === 'tfjs' ? expectOutputDir('--out', flags.out) : expectOutputFile('--out', flags.out));
    await selectBackend(backendChoice(flags.backend));
    const format = flags.format;
    if (await isRunReference(args.source)) {
      if (flags.set.length > 0) throw new Error('--set changes a config, not a trained run: export the run as it is, or a config with --set');
      const result = await exportRun({
        run: args.source, runs: flags.runs, checkpoint: flags.checkpoint, format, out: flags.out,
        ...(flags.fused !== undefined ? {fused: flags.fused} : {}),
      });
      this.log(`Wrote ${result.files.join(', ')}: ${result.model}, ${result.tensors} tensors, ${result.params.toLocaleString('en-US')} values, ${result.fused ? 'fused' : 'unfused'}${heads(result)} (${result.description})`);
      return result;
    }
    const config = await loadModelConfig(args.source, flags.set);
    const fused = flags.fused ?? familyOf(config).fusesForInference(config);
    const result = await exportModel(config, {format, out: flags.out, seed: flags.seed, fused});
    this.log(`Wrote ${result.files.join(', ')}: ${result.model}, ${result.tensors} tensors, ${result.params.toLocaleString('en-US')} values, ${result.fused ? 'fused' : 'unfused'}${heads(result)}, seed ${result.seed} (initial weights: no training run)`);
    return result;
  }
}
