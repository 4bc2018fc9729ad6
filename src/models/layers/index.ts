// Every custom layer of the models, imported for its registration with tf.serialization (a saved model
// can only be loaded after its layer classes are registered).
export {BatchNorm} from './batch-norm.js';
export {ReLU} from './relu.js';
export {GroupNorm, groupNorm} from './group-norm.js';
export {DyConv, dyConvHiddenUnits} from './dyconv.js';
export {MIE, mieConvName, type GateKind} from './mie.js';
export {MIDM, midmWindow, type PoolKind} from './midm.js';
export {ReDWConv, fuseReparamKernel, isReparameterizable, validateReDW, type Reparameterizable} from './redw-conv.js';
export {LD} from './ld.js';
export {Upsample, type UpsampleMode} from './resample.js';
export {AttentionGate} from './attention-gate.js';
export {LayerNorm, layerNorm} from './layer-norm.js';
export {OverlapPatchEmbed} from './patch-embed.js';
export {SRAttention} from './sr-attention.js';
export {MixMLP} from './mix-mlp.js';
export {DropPath} from './drop-path.js';
export {MSCB} from './mscb.js';
export {ChannelAttention} from './channel-attention.js';
export {SpatialAttention} from './spatial-attention.js';
export {EUCB} from './eucb.js';
export {LGAG} from './lgag.js';
