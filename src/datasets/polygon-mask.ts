// MoNuSeg's annotations are polygons in XML (Annotations/Annotation/Regions/Region/Vertices/Vertex X= Y=).
// This fills every region (even-odd rule, sampled at pixel centres) into one binary mask.
export type Polygon = ReadonlyArray<readonly [number, number]>;

export function parsePolygonsXml(xml: string): Polygon[] {
  const polygons: Polygon[] = [];
  for (const region of xml.matchAll(/<Vertices\b[^>]*>([\s\S]*?)<\/Vertices>/g)) {
    const points: Array<[number, number]> = [];
    for (const vertex of region[1]!.matchAll(/<Vertex\b([^>]*)\/?>/g)) {
      const x = /\bX="([^"]+)"/.exec(vertex[1]!);
      const y = /\bY="([^"]+)"/.exec(vertex[1]!);
      if (x && y) points.push([Number(x[1]), Number(y[1])]);
    }
    if (points.length >= 3 && points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) polygons.push(points);
  }
  return polygons;
}

/** Fills polygons into `out` (width x height, row-major, OR-ed in). */
export function fillPolygons(out: Uint8Array, width: number, height: number, polygons: readonly Polygon[]): void {
  const crossings: number[] = [];
  for (const polygon of polygons) {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const [, y] of polygon) {
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const rowStart = Math.max(0, Math.ceil(minY - 0.5));
    const rowEnd = Math.min(height - 1, Math.floor(maxY - 0.5));
    for (let row = rowStart; row <= rowEnd; row++) {
      const cy = row + 0.5;
      crossings.length = 0;
      for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
        const [xi, yi] = polygon[i]!;
        const [xj, yj] = polygon[j]!;
        if (yi > cy !== yj > cy) crossings.push(xi + ((cy - yi) * (xj - xi)) / (yj - yi));
      }
      crossings.sort((a, b) => a - b);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        const from = Math.max(0, Math.ceil(crossings[k]! - 0.5));
        const to = Math.min(width - 1, Math.floor(crossings[k + 1]! - 0.5));
        for (let x = from; x <= to; x++) out[row * width + x] = 1;
      }
    }
  }
}
