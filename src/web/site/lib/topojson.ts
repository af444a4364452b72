/**
 * A small TopoJSON decoder for the offline map (no tiles, no outside service): the provinces'
 * shared arcs are delta-encoded and quantized; this turns them into SVG paths in a flat
 * projection (longitude scaled by cos 36°, which keeps Korea's shape right to within a few %).
 */
interface Topology {
  transform: { scale: [number, number]; translate: [number, number] };
  arcs: [number, number][][];
  objects: Record<string, { geometries: Geometry[] }>;
}

type Geometry =
  | { type: 'Polygon'; arcs: number[][]; properties: Record<string, string> }
  | { type: 'MultiPolygon'; arcs: number[][][]; properties: Record<string, string> };

export interface Shape {
  name: string;
  nameEn: string;
  d: string;
}

const X_SCALE = Math.cos((36 * Math.PI) / 180);

/** Map coordinates of a point: x grows east, y grows south (SVG's way). */
export function project(lat: number, lng: number): [number, number] {
  return [lng * X_SCALE, -lat];
}

function decodeArcs(topology: Topology): [number, number][][] {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return project(y * sy + ty, x * sx + tx);
    });
  });
}

function ring(arcs: [number, number][][], indexes: number[]): string {
  const points: [number, number][] = [];
  for (const index of indexes) {
    // A negative index (~i) is arc i walked backwards.
    const arc = index >= 0 ? arcs[index] ?? [] : [...(arcs[~index] ?? [])].reverse();
    points.push(...(points.length === 0 ? arc : arc.slice(1)));
  }
  return `M${points.map(([x, y]) => `${x.toFixed(3)} ${y.toFixed(3)}`).join('L')}Z`;
}

/** Every geometry of the topology's first object as an SVG path, with its names. */
export function shapesOf(topology: Topology): Shape[] {
  const arcs = decodeArcs(topology);
  const object = Object.values(topology.objects)[0];
  return (object?.geometries ?? []).map((g) => {
    const polygons = g.type === 'Polygon' ? [g.arcs] : g.arcs;
    return { name: g.properties.name ?? '', nameEn: g.properties.name_eng ?? '', d: polygons.map((rings) => rings.map((r) => ring(arcs, r)).join('')).join('') };
  });
}

export type { Topology };
