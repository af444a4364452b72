import { describe, expect, it } from 'vitest';
import { findSido, listSido, listSigungu, sigunguOf } from './regions.ts';

describe('regions', () => {
  it('lists the 17 provinces in code order and the 250 municipalities', () => {
    const sido = listSido();
    expect(sido).toHaveLength(17);
    expect(sido.map((s) => s.code)).toEqual([...sido.map((s) => s.code)].sort());
    expect(listSigungu()).toHaveLength(250);
    expect(new Set(listSigungu().map((s) => s.code)).size).toBe(250);
  });

  it('applies the renames since 2018', () => {
    const names = listSido().map((s) => s.name);
    expect(names).toContain('강원특별자치도');
    expect(names).toContain('전북특별자치도');
    expect(names).not.toContain('강원도');
    expect(names).not.toContain('전라북도');
    expect(listSigungu().some((s) => s.sidoName === '강원도' || s.sidoName === '전라북도')).toBe(false);
    expect(sigunguOf('강원특별자치도')).toHaveLength(18);
    expect(sigunguOf('전북특별자치도')).toHaveLength(15);
  });

  it('moves 군위군 from 경상북도 to 대구광역시', () => {
    const gunwi = listSigungu().filter((s) => s.name === '군위군');
    expect(gunwi).toHaveLength(1);
    expect(gunwi[0]).toMatchObject({ sidoCode: '22', sidoName: '대구광역시' });
    expect(sigunguOf('대구광역시').map((s) => s.name)).toContain('군위군');
    expect(sigunguOf('경상북도').map((s) => s.name)).not.toContain('군위군');
    expect(sigunguOf('대구광역시')).toHaveLength(9);
    expect(sigunguOf('경상북도')).toHaveLength(23);
  });

  it('gives every municipality a known province and a centroid inside Korea', () => {
    const sidoCodes = new Set(listSido().map((s) => s.code));
    for (const s of listSigungu()) {
      expect(sidoCodes.has(s.sidoCode)).toBe(true);
      expect(findSido(s.sidoCode)?.name).toBe(s.sidoName);
      expect(s.lat).toBeGreaterThan(33);
      expect(s.lat).toBeLessThan(38.7);
      expect(s.lng).toBeGreaterThan(124.5);
      expect(s.lng).toBeLessThan(132);
    }
  });

  it('finds a province by Korean name, English name in any case, or code', () => {
    expect(findSido('서울특별시')?.code).toBe('11');
    expect(findSido('seoul')?.code).toBe('11');
    expect(findSido('GYEONGGI-DO')?.name).toBe('경기도');
    expect(findSido('Gangwon State')?.name).toBe('강원특별자치도');
    expect(findSido('39')?.name).toBe('제주특별자치도');
    expect(findSido('강원도')).toBeUndefined();
    expect(findSido('nowhere')).toBeUndefined();
  });

  it('lists the municipalities of a province and nothing for an unknown one', () => {
    expect(sigunguOf('서울특별시')).toHaveLength(25);
    expect(sigunguOf('11')[0]?.name).toBe('종로구');
    expect(sigunguOf('Sejongsi').map((s) => s.name)).toEqual(['세종시']);
    expect(sigunguOf('atlantis')).toEqual([]);
  });

  it('returns copies the caller cannot use to change the shared list', () => {
    listSido().pop();
    expect(listSido()).toHaveLength(17);
    expect(Object.isFrozen(listSigungu()[0])).toBe(true);
  });
});
