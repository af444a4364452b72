import { readFileSync } from 'node:fs';

/** A province-level division (시도). */
export interface Sido { code: string; name: string; nameEn: string }

/** A municipality (시군구) with its province and the centroid of its boundary (WGS84). */
export interface Sigungu {
  code: string;
  name: string;
  nameEn: string;
  sidoCode: string;
  sidoName: string;
  lat: number;
  lng: number;
}

const CSV_URL = new URL('../../../../reference-data/sigungu-2018.csv', import.meta.url);
const HEADER = 'sido_code,sido_name,sido_name_en,sigungu_code,sigungu_name,sigungu_name_en,lat,lng';

// Changes since the 2018 snapshot (reference-data/README.md). Codes stay those of the file: 군위군
// keeps 37310 (its post-2023 statistical code is not in our data), so order by sidoCode, not code.
const SIDO_RENAMES: Readonly<Record<string, Sido>> = {
  '32': { code: '32', name: '강원특별자치도', nameEn: 'Gangwon State' }, // 2023-06-11
  '35': { code: '35', name: '전북특별자치도', nameEn: 'Jeonbuk State' }, // 2024-01-18
};
const SIGUNGU_MOVES: Readonly<Record<string, string>> = {
  '37310': '22', // 군위군: 경상북도 → 대구광역시, 2023-07-01
};
// The source file's English name for 철원군 is wrong ("Gongju-si", which is 공주시).
const NAME_EN_FIXES: Readonly<Record<string, string>> = { '32360': 'Cheorwon-gun' };

interface Regions {
  sido: readonly Sido[];
  sigungu: readonly Sigungu[];
}

let cached: Regions | undefined;

function parseNumber(text: string, line: number): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new Error(`sigungu-2018.csv line ${line}: bad number "${text}"`);
  return value;
}

function load(): Regions {
  const lines = readFileSync(CSV_URL, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0] !== HEADER) throw new Error('sigungu-2018.csv: unexpected header');
  const sidoByCode = new Map<string, Sido>();
  const sigungu: Sigungu[] = [];
  lines.slice(1).forEach((line, i) => {
    const cols = line.split(',');
    if (cols.length !== 8) throw new Error(`sigungu-2018.csv line ${i + 2}: expected 8 columns`);
    const [sidoCode, sidoName, sidoNameEn, code, name, nameEn, lat, lng] = cols as [
      string, string, string, string, string, string, string, string,
    ];
    sidoByCode.set(sidoCode, SIDO_RENAMES[sidoCode] ?? { code: sidoCode, name: sidoName, nameEn: sidoNameEn });
    sigungu.push({
      code,
      name,
      nameEn: NAME_EN_FIXES[code] ?? nameEn,
      sidoCode: SIGUNGU_MOVES[code] ?? sidoCode,
      sidoName: '', // filled below, once every province (and its rename) is known
      lat: parseNumber(lat, i + 2),
      lng: parseNumber(lng, i + 2),
    });
  });
  for (const s of sigungu) {
    const sido = sidoByCode.get(s.sidoCode);
    if (!sido) throw new Error(`sigungu ${s.code} refers to unknown sido ${s.sidoCode}`);
    s.sidoName = sido.name;
  }
  return {
    sido: [...sidoByCode.values()].sort((a, b) => a.code.localeCompare(b.code)).map((s) => Object.freeze(s)),
    sigungu: sigungu
      .sort((a, b) => a.sidoCode.localeCompare(b.sidoCode) || a.code.localeCompare(b.code))
      .map((s) => Object.freeze(s)),
  };
}

function regions(): Regions {
  cached ??= load();
  return cached;
}

/** The 17 provinces in code order, with names as of today. */
export function listSido(): Sido[] {
  return [...regions().sido];
}

/** The 250 municipalities ordered by province then code, with today's province for each. */
export function listSigungu(): Sigungu[] {
  return [...regions().sigungu];
}

/** A province by Korean name, English name (any case) or code; undefined if none matches. */
export function findSido(nameOrCode: string): Sido | undefined {
  const key = nameOrCode.trim();
  const lower = key.toLowerCase();
  return regions().sido.find((s) => s.code === key || s.name === key || s.nameEn.toLowerCase() === lower);
}

/** The municipalities of a province (given as anything findSido accepts); empty if unknown. */
export function sigunguOf(sidoName: string): Sigungu[] {
  const sido = findSido(sidoName);
  return sido ? regions().sigungu.filter((s) => s.sidoCode === sido.code) : [];
}
