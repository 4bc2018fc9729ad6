// Layers that know their own multiply-accumulates. src/models/profile/macs.ts counts built-in layers from their
// configuration; a composite layer (EMCAD's attention, MLP and decoder blocks) states its own, per application,
// from the shapes of that application's inputs (a shared layer, like EMCAD's SAB, runs at several sizes).

/** A layer that counts its own MACs per image. */
export interface CountsOwnMacs {
  /**
   * MACs of one image through one application of the layer, by category ('conv_1x1', 'dense', ...), given that
   * application's input shapes without the batch dimension (NHWC: [H, W, C]).
   */
  macsPerImage(inputShapes: number[][]): Record<string, number>;
}

export function countsOwnMacs(layer: object): layer is CountsOwnMacs {
  return typeof (layer as Partial<CountsOwnMacs>).macsPerImage === 'function';
}
