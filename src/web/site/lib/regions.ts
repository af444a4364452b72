import { api } from '../../shared/api.ts';

export interface SigunguInfo {
  code: string;
  name: string;
  nameEn: string;
  lat: number;
  lng: number;
}

export interface SidoInfo {
  code: string;
  name: string;
  nameEn: string;
  sigungu: SigunguInfo[];
}

export function loadRegions(): Promise<SidoInfo[]> {
  return api<SidoInfo[]>('GET', '/api/v1/regions');
}

/**
 * A typed place ("수원", "해운대", "Suwon") to the centroid of the first municipality whose name
 * contains it (or, failing that, the first municipality of a province whose name does): a search
 * near a place without any outside geocoding service.
 */
export function findPlace(regions: SidoInfo[], typed: string): (SigunguInfo & { sido: string }) | null {
  const q = typed.trim().toLowerCase().replace(/\s+/g, '');
  if (q.length === 0) return null;
  const all = regions.flatMap((s) => s.sigungu.map((g) => ({ ...g, sido: s.name, sidoEn: s.nameEn })));
  const hit =
    all.find((g) => g.name.replace(/\s+/g, '').toLowerCase().includes(q) || g.nameEn.toLowerCase().replace(/\s+/g, '').includes(q)) ??
    all.find((g) => g.sido.includes(q) || g.sidoEn.toLowerCase().includes(q));
  return hit ?? null;
}
