import { describe, expect, it } from 'vitest';
import { generateClinics, KOREA_BBOX } from './demo-clinics.ts';
import { listSido, listSigungu } from './regions.ts';

/** Great-circle distance in metres. */
function distanceMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2
    + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

const centroids = new Map(listSigungu().map((s) => [`${s.sidoName} ${s.name}`, s]));

describe('generateClinics', () => {
  const clinics = generateClinics(2000);

  it('makes exactly the number asked for, in every province', () => {
    expect(clinics).toHaveLength(2000);
    expect(new Set(clinics.map((c) => c.sido))).toEqual(new Set(listSido().map((s) => s.name)));
  });

  it('puts one 보건소 in each of the 250 municipalities, first', () => {
    const centres = clinics.filter((c) => c.name.endsWith('보건소'));
    expect(centres).toHaveLength(250);
    expect(clinics.slice(0, 250)).toEqual(centres);
    expect(new Set(centres.map((c) => `${c.sido} ${c.sigungu}`)).size).toBe(250);
    expect(centres[0]).toMatchObject({ id: 'H000001', name: '종로구보건소', sigungu: '종로구' });
    expect(centres.some((c) => c.name === '양평군보건소')).toBe(true);
  });

  it('gives stable, unique ids and names unique within a municipality', () => {
    expect(new Set(clinics.map((c) => c.id)).size).toBe(2000);
    expect(clinics.every((c, i) => c.id === `H${String(i + 1).padStart(6, '0')}`)).toBe(true);
    expect(new Set(clinics.map((c) => `${c.sido}|${c.sigungu}|${c.name}`)).size).toBe(2000);
  });

  it('writes Korean road-name addresses in the clinic\'s province and municipality', () => {
    for (const c of clinics) {
      expect(c.address.startsWith(`${c.sido} `)).toBe(true);
      expect(c.address).toMatch(/(로|길) \d+(, \d층)?$/);
    }
    expect(clinics.find((c) => c.sigungu === '수원시장안구')?.address).toMatch(/^경기도 수원시 장안구 /);
  });

  it('places clinics inside Korea within about 5 km of their municipality\'s centroid', () => {
    for (const c of clinics) {
      expect(c.lat).toBeGreaterThanOrEqual(KOREA_BBOX.minLat);
      expect(c.lat).toBeLessThanOrEqual(KOREA_BBOX.maxLat);
      expect(c.lng).toBeGreaterThanOrEqual(KOREA_BBOX.minLng);
      expect(c.lng).toBeLessThanOrEqual(KOREA_BBOX.maxLng);
      expect(Math.round(c.lat * 1e6) / 1e6).toBe(c.lat);
      const centroid = centroids.get(`${c.sido} ${c.sigungu}`);
      expect(centroid).toBeDefined();
      if (centroid) expect(distanceMetres(c, centroid)).toBeLessThan(5000);
    }
  });

  it('weights private clinics toward the capital area', () => {
    const privateClinics = clinics.slice(250);
    const capital = privateClinics.filter((c) => ['서울특별시', '경기도', '인천광역시'].includes(c.sido));
    const share = capital.length / privateClinics.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    const perSigungu = (sido: string, sigungu: string) =>
      privateClinics.filter((c) => c.sido === sido && c.sigungu === sigungu).length;
    expect(perSigungu('서울특별시', '강남구')).toBeGreaterThan(perSigungu('경상북도', '울릉군'));
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateClinics(2000)).toEqual(clinics);
    expect(generateClinics(2000, 2021)).toEqual(clinics);
    const other = generateClinics(2000, 7);
    expect(other).toHaveLength(2000);
    expect(other).not.toEqual(clinics);
  });

  it('handles small counts without 보건소 and rejects bad counts', () => {
    expect(generateClinics(0)).toEqual([]);
    const few = generateClinics(30);
    expect(few).toHaveLength(30);
    expect(few.some((c) => c.name.endsWith('보건소'))).toBe(false);
    expect(generateClinics(250).every((c) => c.name.endsWith('보건소'))).toBe(true);
    expect(() => generateClinics(-1)).toThrow(RangeError);
    expect(() => generateClinics(1.5)).toThrow(RangeError);
  });

  it('makes a national-scale list of 14,000 with unique names per municipality', () => {
    const national = generateClinics(14_000);
    expect(national).toHaveLength(14_000);
    expect(new Set(national.map((c) => `${c.sido}|${c.sigungu}|${c.name}`)).size).toBe(14_000);
  });
});
