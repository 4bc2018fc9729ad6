// Gradients of a scalar with respect to variables, like tf.variableGrads, with the memory of each step of the
// backward pass released as soon as nothing further needs it.
//
// TF.js's own backward pass keeps the gradient of every intermediate tensor and every tensor saved for the
// backward pass until the whole pass ends, so its peak is the saved activations plus a gradient for each of
// them (MS-LKSeg bw16, 128 px, batch 4: a 1.76 GB wasm heap). Here a tape node's output gradients and saved
// tensors are disposed once the node has been differentiated (each tensor has one producer, so nothing later
// reads them), and the peak is close to the saved activations alone. The arithmetic is the same, in the same
// order: the results are bit-identical to tf.variableGrads.
//
// The tape is TF.js's internal one (tfjs-core 4.22, pinned): nodes {id, kernelName, inputs, outputs, saved,
// gradient}. If that shape ever changes, `tapeInternals` fails loudly rather than computing something else.
import * as tf from '@tensorflow/tfjs';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  state: {activeTape: TapeNode[] | null; gradientDepth: number};
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

function tapeInternals(): EngineInternals {
  const engine = tf.engine() as unknown as Partial<EngineInternals>;
  if (typeof engine.startTape !== 'function' || typeof engine.endTape !== 'function' || typeof engine.state?.gradientDepth !== 'number') {
    throw new Error('this version of @tensorflow/tfjs-core has no gradient tape where mslk expects one (tested with 4.22.0)');
  }
  return engine as EngineInternals;
}

/** The nodes on a path from some x to y, each with only the inputs that depend on an x (TF.js does the same). */
export function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const dependsOnX = new Set(xs.map((x) => x.id));
  const onPath = tape.map((node) => {
    const fromX = Object.values(node.inputs).some((t) => dependsOnX.has(t.id));
    if (fromX) for (const out of node.outputs) dependsOnX.add(out.id);
    return fromX;
  });
  const leadsToY = new Set([y.id]);
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((out) => leadsToY.has(out.id))) {
      for (const t of Object.values(node.inputs)) leadsToY.add(t.id);
    } else {
      onPath[i] = false;
    }
  }
  return tape.filter((_, i) => onPath[i]).map((node) => ({
    ...node,
    inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => dependsOnX.has(t.id))),
  }));
}

/**
 * Gradient per tensor id. One gradient tensor may serve several ids (a kernel's gradient may hand dy itself to
 * more than one input), so a tensor is disposed only when its last id lets go of it.
 */
class GradientTable {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  get(id: number): tf.Tensor | undefined {
    return this.byId.get(id);
  }

  isHeld(t: tf.Tensor): boolean {
    return this.holders.has(t);
  }

  set(id: number, t: tf.Tensor): void {
    this.release(id);
    this.byId.set(id, t);
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
  }

  release(id: number): void {
    const t = this.byId.get(id);
    if (t === undefined) return;
    this.byId.delete(id);
    const left = this.holders.get(t)! - 1;
    if (left > 0) {
      this.holders.set(t, left);
    } else {
      this.holders.delete(t);
      t.dispose();
    }
  }
}

function backpropagate(nodes: readonly TapeNode[], y: tf.Tensor, xs: readonly tf.Tensor[]): (tf.Tensor | undefined)[] {
  const table = new GradientTable();
  table.set(y.id, tf.onesLike(y));
  const keep = new Set(xs.map((x) => x.id));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (node.gradient === undefined) throw new Error(`Cannot compute gradient: no gradient function for ${node.kernelName}`);
    const dys = node.outputs.map((out) => table.get(out.id) ?? null);
    const names = Object.keys(node.inputs);
    // One tidy per node: it disposes the zero dys that node.gradient makes for outputs off the path.
    const dxs = tf.tidy(() => {
      const gradientOf = node.gradient!(dys);
      return names.map((name) => {
        const g = gradientOf[name];
        if (g === undefined) throw new Error(`Cannot backprop through input ${name} of ${node.kernelName}`);
        return g();
      });
    });
    names.forEach((name, k) => {
      const x = node.inputs[name]!;
      const dx = dxs[k]!;
      if (dx.dtype !== 'float32') throw new Error(`Gradient of input ${name} of ${node.kernelName} has dtype ${dx.dtype}, not float32`);
      if (!tf.util.arraysEqual(dx.shape, x.shape)) throw new Error(`Gradient of input ${name} of ${node.kernelName} has shape [${dx.shape}], not [${x.shape}]`);
      const before = table.get(x.id);
      table.set(x.id, before === undefined ? dx : tf.add(before, dx));
    });
    for (const dx of dxs) if (!table.isHeld(dx) && !dys.includes(dx)) dx.dispose();
    for (const out of node.outputs) if (!keep.has(out.id)) table.release(out.id);
    for (const t of node.saved ?? []) if (!table.isHeld(t)) t.dispose();
  }
  return xs.map((x) => table.get(x.id));
}

/**
 * d f() / d v for each variable of `varList` (by variable name; a variable f does not depend on is absent).
 * The caller disposes `value` and the gradients. Inside another gradient computation it defers to TF.js.
 */
export function variableGradsReleasing(f: () => tf.Scalar, varList: tf.Variable[]): {value: tf.Scalar; grads: tf.NamedTensorMap} {
  const engine = tapeInternals();
  if (engine.state.gradientDepth > 0) return tf.variableGrads(f, varList);
  let y: tf.Scalar;
  engine.startTape();
  try {
    y = engine.tidy('forward', f);
  } finally {
    engine.endTape();
  }
  if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error('variableGradsReleasing: f must return a scalar tensor');
  const tape = engine.state.activeTape ?? [];
  const results = new Set<tf.Tensor>();
  try {
    const grads = engine.tidy('backward', () => {
      const perVariable = backpropagate(nodesFromXsToY(tape, varList, y), y, varList);
      const named: tf.NamedTensorMap = {};
      varList.forEach((v, i) => {
        const g = perVariable[i];
        if (g !== undefined) named[v.name] = g;
      });
      return named;
    });
    for (const g of Object.values(grads)) results.add(g);
    if (results.size === 0) throw new Error('variableGradsReleasing: f does not depend on any of the variables');
    return {value: y, grads};
  } catch (error) {
    y.dispose();
    throw error;
  } finally {
    for (const node of tape) for (const t of node.saved ?? []) if (!results.has(t)) t.dispose();
    engine.state.activeTape = null;
  }
}
