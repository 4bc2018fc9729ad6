// Ids inside inline SVGs share one namespace with the whole HTML page: two charts that both define `clip1` would
// clip each other. Scoping each chart's ids with its own prefix keeps them apart.

/**
 * Prefixes every id an SVG defines (Vega's `clip1`, `gradient_0`, ...) and every `url(#id)` / `href="#id"`
 * reference to it with `prefix`, so that several SVGs inlined in one HTML page do not clip or fill with each
 * other's definitions. `prefix` must be a valid id start ([A-Za-z][\w-]*); throws otherwise.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  if (!/^[A-Za-z][\w-]*$/.test(prefix)) throw new Error(`SVG id prefix must match [A-Za-z][\\w-]*, got ${JSON.stringify(prefix)}`);
  const ids = new Set<string>();
  for (const match of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(match[1]!);
  if (ids.size === 0) return svg;
  const scoped = (id: string): string => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${scoped(id)}${b}`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/(\s(?:xlink:)?href="#)([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${scoped(id)}${b}`);
}
