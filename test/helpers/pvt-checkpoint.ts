// Synthetic PVTv2-b0 ImageNet checkpoints for the tests of EMCAD's pretrained encoder (issue 15): the names and
// shapes of the PVTv2 release's pvt_v2_b0 (github.com/whai362/PVT, classification/pvt_v2.py) and of timm's
// (timm/models/pvt_v2.py), written out here from those public model definitions, independently of
// src/models/families/pvt-pretrained.ts; values are seeded normals.
import {SeededRandom} from '../../src/io/random.js';

/** One tensor of a checkpoint, in PyTorch layout. */
export interface PvtTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const WIDTHS = [32, 64, 160, 256];
const DEPTHS = [2, 2, 2, 2];
const MLP_RATIOS = [8, 8, 4, 4];
const REDUCTIONS = [8, 4, 2, 1];

/** The state_dict of the release's pvt_v2_b0 (classification/pvt_v2.py): name -> shape, in PyTorch layouts. */
export function releaseB0(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let s = 1; s <= 4; s++) {
    const c = WIDTHS[s - 1]!;
    const cin = s === 1 ? 3 : WIDTHS[s - 2]!;
    const k = s === 1 ? 7 : 3;
    const h = c * MLP_RATIOS[s - 1]!;
    const r = REDUCTIONS[s - 1]!;
    out.set(`patch_embed${s}.proj.weight`, [c, cin, k, k]).set(`patch_embed${s}.proj.bias`, [c]);
    out.set(`patch_embed${s}.norm.weight`, [c]).set(`patch_embed${s}.norm.bias`, [c]);
    for (let b = 0; b < DEPTHS[s - 1]!; b++) {
      const p = `block${s}.${b}`;
      out.set(`${p}.norm1.weight`, [c]).set(`${p}.norm1.bias`, [c]);
      out.set(`${p}.attn.q.weight`, [c, c]).set(`${p}.attn.q.bias`, [c]);
      out.set(`${p}.attn.kv.weight`, [2 * c, c]).set(`${p}.attn.kv.bias`, [2 * c]);
      out.set(`${p}.attn.proj.weight`, [c, c]).set(`${p}.attn.proj.bias`, [c]);
      if (r > 1) {
        out.set(`${p}.attn.sr.weight`, [c, c, r, r]).set(`${p}.attn.sr.bias`, [c]);
        out.set(`${p}.attn.norm.weight`, [c]).set(`${p}.attn.norm.bias`, [c]);
      }
      out.set(`${p}.norm2.weight`, [c]).set(`${p}.norm2.bias`, [c]);
      out.set(`${p}.mlp.fc1.weight`, [h, c]).set(`${p}.mlp.fc1.bias`, [h]);
      out.set(`${p}.mlp.dwconv.dwconv.weight`, [h, 1, 3, 3]).set(`${p}.mlp.dwconv.dwconv.bias`, [h]);
      out.set(`${p}.mlp.fc2.weight`, [c, h]).set(`${p}.mlp.fc2.bias`, [c]);
    }
    out.set(`norm${s}.weight`, [c]).set(`norm${s}.bias`, [c]);
  }
  return out.set('head.weight', [1000, 256]).set('head.bias', [1000]);
}

/** timm's name of a release name (timm/models/pvt_v2.py's remapping of the original checkpoints, restated). */
export function timmName(name: string): string {
  return name
    .replace(/^patch_embed1\./, 'patch_embed.')
    .replace(/^patch_embed(\d)\./, (_, s: string) => `stages.${Number(s) - 1}.downsample.`)
    .replace('.dwconv.dwconv.', '.dwconv.')
    .replace(/^block(\d)\.(\d+)\./, (_, s: string, b: string) => `stages.${Number(s) - 1}.blocks.${b}.`)
    .replace(/^norm(\d)\./, (_, s: string) => `stages.${Number(s) - 1}.norm.`);
}

export type Scheme = 'pvt-v2' | 'timm';

/** A synthetic checkpoint: seeded normal values under the scheme's names. */
export function checkpoint(scheme: Scheme, seed: number): PvtTensor[] {
  const rng = SeededRandom.stream('pvt-checkpoint', seed);
  return [...releaseB0()].map(([name, shape]) => ({
    name: scheme === 'timm' ? timmName(name) : name, shape,
    data: rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, 1),
  }));
}

