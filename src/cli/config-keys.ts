// The dotted keys `--set` accepts, listed from the configs' defaults, so that an unknown flag named like a knob can
// point to `--set <key>=<value>`. Loaded only when a flag is unknown (the model registry pulls in TF.js).

/** The leaf key paths of a plain object ('train.optimizer.lr'); arrays and null are leaves. */
export function leafKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

/** Keys of every registered model's config with its defaults (`baseWidth`, `ld.largeKernel`, ...), sorted. */
export async function modelConfigKeys(): Promise<string[]> {
  const {defaultModelConfig, MODEL_NAMES} = await import('../models/registry.js');
  return [...new Set(MODEL_NAMES.flatMap((name) => leafKeys(defaultModelConfig(name))))].sort();
}

/** Keys of a whole run config (`train.epochs`, `data.size`, `seed`, `model.ld.largeKernel`, ...), sorted. */
export async function runConfigKeys(): Promise<string[]> {
  const {parseRunConfig} = await import('../runs/config.js');
  const {MODEL_NAMES} = await import('../models/registry.js');
  const {model: _model, ...rest} = parseRunConfig({model: {model: MODEL_NAMES[0]}});
  return [...leafKeys(rest), ...(await modelConfigKeys()).map((k) => `model.${k}`)].sort();
}
