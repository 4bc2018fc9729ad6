import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {modelConfigKeys} from '../../cli/config-keys.js';
import {backendFlag} from '../../cli/flags.js';
import {formatBytes} from '../../cli/format.js';
import {progressLines} from '../../cli/progress-lines.js';
import {backendChoice, selectBackend} from '../../engine/backends.js';
import {describeAdapter} from '../../engine/webgpu.js';
import {loadModelConfig} from '../../models/load-config.js';
import type {ModelProfile, VariantProfile} from '../../models/profile/profile.js';
import type {Timing} from '../../models/profile/timing.js';
import {profileModelTraining} from '../../training/profile-step.js';

const ms = (t?: Timing) => (t ? `${t.medianMs.toFixed(1)} ms (IQR ${t.iqrMs[0].toFixed(1)}-${t.iqrMs[1].toFixed(1)}, n=${t.runs})` : '-');

export default class ModelsProfile extends MslkCommand {
  static override description = 'Parameters, MACs/FLOPs (FLOPs = 2 x MACs), batch-1 latency, time (images/s) and peak tensor memory of the training step training runs, of a model, unfused and fused; wasm heap or GPU memory held; each timing ends with a read back (a GPU finishes its work); progress on stderr';
  static override examples = [
    '<%= config.bin %> models profile ms-lkseg --size 256 --set baseWidth=16',
    '<%= config.bin %> models profile configs/models/ms-lkseg.yaml --set ld.largeKernel=13 --counts-only --json',
    '<%= config.bin %> models profile unet --backend webgpu --size 256 --batch 8 --set baseWidth=32',
  ];
  static override args = {
    config: Args.string({description: 'A model config file (YAML/JSON) or a registered model name', required: true}),
  };
  static override flags = {
    size: Flags.integer({description: 'Input height and width (a multiple of 16)', default: 256, min: 16}),
    batch: Flags.integer({description: 'Batch of the timed training step', default: 4, min: 1}),
    set: Flags.string({description: 'Override a knob: key.path=value (repeatable)', multiple: true, default: []}),
    'latency-runs': Flags.integer({description: 'Timed batch-1 inference runs (after 2 warm-ups)', default: 30, min: 2}),
    'train-steps': Flags.integer({description: 'Timed training steps (after 1 warm-up)', default: 5, min: 2}),
    'counts-only': Flags.boolean({description: 'Only parameters and MACs (no timing)', default: false}),
    budget: Flags.integer({description: 'Seconds per timing (latency of each variant, training step) before stopping early; latency keeps >= 30 runs, training >= 2 steps', default: 300, min: 1}),
    backend: backendFlag(),
  };

  static override setKeys = modelConfigKeys;

  async run(): Promise<ModelProfile> {
    const {args, flags} = await this.parse(ModelsProfile);
    const config = await loadModelConfig(args.config, flags.set);
    await selectBackend(backendChoice(flags.backend));
    const p = await profileModelTraining(config, {
      size: flags.size, batch: flags.batch, latencyRuns: flags['latency-runs'], trainSteps: flags['train-steps'],
      countsOnly: flags['counts-only'], budgetMs: flags.budget * 1000, onProgress: progressLines(),
    });
    const on = p.gpuAdapter ? ` on ${describeAdapter(p.gpuAdapter)}` : '';
    this.log(`${config.model} (${'baseWidth' in config ? `baseWidth ${config.baseWidth}` : `encoder ${config.encoder}`}) at ${p.size}x${p.size}, backend ${p.backend}${on}`);
    const show = (label: string, v: VariantProfile) => {
      this.log(`  ${label}: ${v.params.trainable.toLocaleString('en-US')} trainable / ${v.params.total.toLocaleString('en-US')} total params, ` +
        `${(v.macs / 1e9).toFixed(3)} GMACs (${(v.flops / 1e9).toFixed(3)} GFLOPs)`);
      if (v.latency) this.log(`    latency batch 1: ${ms(v.latency)}; peak tensor memory ${formatBytes(v.peakInferenceBytes ?? 0)}`);
    };
    show('unfused', p.unfused);
    if (p.unfused.trainStep) {
      const perSecond = p.unfused.trainImagesPerSecond === undefined ? '' : `, ${p.unfused.trainImagesPerSecond.toFixed(2)} images/s`;
      this.log(`    train step batch ${p.batch}: ${ms(p.unfused.trainStep)}${perSecond}; peak tensor memory ${formatBytes(p.unfused.peakTrainBytes ?? 0)}`);
    }
    if (p.unfused.trainError) this.log(`    ${p.unfused.trainError}`);
    if (p.heads) this.log(`  ${p.heads.count} outputs; inference: ${p.heads.inference}`);
    if (p.fused) show(p.heads ? 'inference form' : 'fused', p.fused);
    if (p.wasmHeapBytes) this.log(`  wasm heap high-water mark (training step included): ${formatBytes(p.wasmHeapBytes)}`);
    if (p.peakGpuBytes) this.log(`  GPU memory high-water mark (training step included; buffers pooled for reuse too): ${formatBytes(p.peakGpuBytes)}`);
    return p;
  }
}
