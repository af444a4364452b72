import { mulberry32, pick, randInt, type Rng } from './prng.ts';
import { listSigungu, type Sigungu } from './regions.ts';
import type { Institution } from '../institution.ts';

/** One demo vaccination clinic: a public health centre (보건소) or a private clinic (위탁의료기관). */
export type ClinicSeed = Institution;

/** Mainland, Jeju, Ulleung and Dokdo all fit; a jittered point is clamped into it. */
export const KOREA_BBOX = { minLat: 33.0, maxLat: 38.7, minLng: 124.5, maxLng: 132.0 } as const;

/** Clinics sit within this distance of their municipality's centroid. */
const JITTER_METRES = 3000;

const METRES_PER_DEGREE_LAT = 111_320;
const CAPITAL_AREA = new Set(['11', '23', '31']); // 서울, 인천, 경기: about half the population
const METROPOLITAN = new Set(['21', '22', '24', '25', '26']); // the other 광역시

const PREFIXES = [
  '연세', '서울', '행복한', '튼튼', '바른', '미래', '푸른', '하나', '우리', '새봄', '온누리', '365',
  '사랑', '참좋은', '365열린', '봄날', '도담', '다온', '열린', '으뜸', '밝은', '건강한', '제일', '늘봄',
  '한빛', '새롬', '미소', '가온', '중앙', '시청앞', '역전', '신도시', '드림', '예은', '한마음', '참사랑',
];
// 내과 repeats: most COVID-19 위탁의료기관 were internal-medicine and family-medicine clinics.
const SPECIALTIES = [
  '내과의원', '내과의원', '내과의원', '가정의학과의원', '가정의학과의원', '소아청소년과의원',
  '이비인후과의원', '정형외과의원', '365의원', '연합의원', '병원', '재활의학과의원', '가정의원',
  '의원', '신경과의원', '외과의원',
];
const ROADS = [
  '중앙로', '시청로', '번영로', '문화로', '희망로', '공원로', '역전로', '대학로', '평화로', '충장로',
  '중앙대로', '구청로', '시장로', '학교로', '새마을로', '행복로', '태평로', '한빛로', '은행로',
  '복지로', '청사로', '호수로', '산업로', '신촌로', '동성로', '강변로', '통일로', '삼일로',
];

/** Relative clinic density: a rough stand-in for population, dense metropolitan districts first. */
function weightOf(s: Sigungu): number {
  if (s.name.endsWith('군')) return 0.6;
  if (CAPITAL_AREA.has(s.sidoCode)) return 3;
  if (METROPOLITAN.has(s.sidoCode)) return 2;
  return 1.5;
}

/** Splits `total` over the weights by largest remainder; seeded ties so small totals spread out. */
function apportion(total: number, weights: readonly number[], rng: Rng): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, rest: x - Math.floor(x), tie: rng() }))
    .sort((a, b) => b.rest - a.rest || a.tie - b.tie);
  for (const { i } of order) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

/** 수원시장안구 → ['수원시', '장안구']: the source file writes a city's district without a space. */
function splitCityDistrict(name: string): string[] {
  const m = /^(.+시)(.+구)$/.exec(name);
  return m?.[1] && m[2] ? [m[1], m[2]] : [name];
}

/** Local words clinics take their names from (종로구 → 종로); one-syllable stems like 중 are skipped. */
function localStems(s: Sigungu): string[] {
  return splitCityDistrict(s.name).map((part) => part.slice(0, -1)).filter((stem) => stem.length >= 2);
}

function clinicName(rng: Rng, stems: readonly string[], used: Set<string>): string {
  const prefix = () => (stems.length > 0 && rng() < 0.2 ? pick(rng, stems) : pick(rng, PREFIXES));
  for (let attempt = 0; attempt < 40; attempt++) {
    // Single-word prefixes first; two words ("서울바른") once a busy district runs short of names.
    const p = attempt < 20 ? prefix() : prefix() + pick(rng, PREFIXES);
    const specialty = pick(rng, SPECIALTIES);
    if (p.includes('365') && specialty.includes('365')) continue;
    const name = p + specialty;
    if (!used.has(name)) return name;
  }
  const base = pick(rng, PREFIXES);
  const specialty = pick(rng, SPECIALTIES);
  for (let n = 2; ; n++) {
    const name = `${base}제${n}${specialty}`;
    if (!used.has(name)) return name;
  }
}

function addressOf(rng: Rng, s: Sigungu, withFloor: boolean): string {
  // 세종특별자치시 has no 시군구 level in addresses: "세종특별자치시 한누리대로 2130".
  const area = s.sidoName.endsWith('특별자치시') ? [s.sidoName] : [s.sidoName, ...splitCityDistrict(s.name)];
  const road = pick(rng, ROADS);
  const street = rng() < 0.6
    ? `${road} ${randInt(rng, 1, 250)}`
    : `${road}${randInt(rng, 1, 60)}번길 ${randInt(rng, 1, 80)}`;
  const floor = withFloor && rng() < 0.75 ? `, ${randInt(rng, 1, 5)}층` : '';
  return `${area.join(' ')} ${street}${floor}`;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));

function jittered(rng: Rng, s: Sigungu): { lat: number; lng: number } {
  // sqrt keeps points uniform over the disc rather than bunched at the centre.
  const r = JITTER_METRES * Math.sqrt(rng());
  const theta = 2 * Math.PI * rng();
  const dLat = (r * Math.cos(theta)) / METRES_PER_DEGREE_LAT;
  const dLng = (r * Math.sin(theta)) / (METRES_PER_DEGREE_LAT * Math.cos((s.lat * Math.PI) / 180));
  return {
    lat: round6(clamp(s.lat + dLat, KOREA_BBOX.minLat, KOREA_BBOX.maxLat)),
    lng: round6(clamp(s.lng + dLng, KOREA_BBOX.minLng, KOREA_BBOX.maxLng)),
  };
}

/**
 * Deterministic demo clinics: with count ≥ 250 one 보건소 per municipality (ids first), the rest
 * private clinics spread by a population-like weight. Same count and seed, same list.
 * @example generateClinics(14_000)[0]; // { id: 'H000001', name: '종로구보건소', ... }
 */
export function generateClinics(count: number, seed = 2021): ClinicSeed[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a whole number ≥ 0, got ${count}`);
  const rng = mulberry32(seed);
  const sigungu = listSigungu();
  const usedNames = new Map(sigungu.map((s) => [s.code, new Set<string>()]));
  const clinics: ClinicSeed[] = [];
  const add = (s: Sigungu, name: string, withFloor: boolean) => {
    usedNames.get(s.code)?.add(name);
    const id = `H${String(clinics.length + 1).padStart(6, '0')}`;
    const address = addressOf(rng, s, withFloor);
    clinics.push({ id, name, address, sido: s.sidoName, sigungu: s.name, ...jittered(rng, s) });
  };

  const withCentres = count >= sigungu.length;
  if (withCentres) for (const s of sigungu) add(s, `${s.name}보건소`, false);

  const quotas = apportion(count - clinics.length, sigungu.map(weightOf), rng);
  sigungu.forEach((s, i) => {
    const used = usedNames.get(s.code) ?? new Set<string>();
    const stems = localStems(s);
    for (let k = 0; k < (quotas[i] ?? 0); k++) add(s, clinicName(rng, stems, used), true);
  });
  return clinics;
}
