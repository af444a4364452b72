import { describe, expect, it } from 'vitest';
import { YeyakError } from '../../../errors.ts';
import { identityFromClaims, lacksPersonClaims } from './oidc-identity.ts';

const ISSUER = 'https://nid.naver.example';
const TODAY = '2026-08-10';
const claims = { sub: 'abc', ci: 'CI-VALUE', name: ' 김영희 ', birthdate: '1962-03-01', gender: 'female', phone_number: '+82 10-2345-6789' };

function refusal(c: Record<string, unknown>): unknown {
  try {
    identityFromClaims(ISSUER, c, TODAY);
  } catch (error) {
    expect(error).toBeInstanceOf(YeyakError);
    expect((error as YeyakError).code).toBe('YEYAK_ERR_OIDC_CLAIMS_MISSING');
    return (error as YeyakError).details;
  }
  throw new Error('expected a refusal');
}

describe('identityFromClaims', () => {
  it('reads CI, name, birth date, sex and a domestic phone number', () => {
    expect(identityFromClaims(ISSUER, claims, TODAY)).toEqual({ ci: 'CI-VALUE', name: '김영희', birthDate: '1962-03-01', sex: 'F', phone: '01023456789' });
  });

  it('falls back to sub qualified by the issuer, so providers never collide', () => {
    const { ci: _ci, ...withoutCi } = claims;
    const a = identityFromClaims(ISSUER, withoutCi, TODAY).ci;
    const b = identityFromClaims('https://kauth.kakao.example', withoutCi, TODAY).ci;
    expect(a).toContain(ISSUER);
    expect(a).not.toBe(b);
  });

  it.each([
    ['M', 'M'],
    ['male', 'M'],
    ['F', 'F'],
    ['U', null],
    [undefined, null],
  ])('maps gender %s to %s', (gender, sex) => {
    expect(identityFromClaims(ISSUER, { ...claims, gender }, TODAY).sex).toBe(sex);
  });

  it.each([
    ['010-2345-6789', '01023456789'],
    ['+82 (0)10 2345 6789', '01023456789'],
    ['+1 415 555 0100', '+14155550100'],
  ])('normalises phone %s', (phone_number, phone) => {
    expect(identityFromClaims(ISSUER, { ...claims, phone_number }, TODAY).phone).toBe(phone);
  });

  it('names every missing or unusable claim, never its value', () => {
    expect(refusal({ ...claims, name: '  ', phone_number: undefined })).toEqual({ missing: ['name', 'phone_number'] });
    for (const birthdate of ['1962', '0000-03-01', '1962-02-30', '2999-01-01', '1850-01-01', 19620301]) {
      expect(refusal({ ...claims, birthdate })).toEqual({ missing: ['birthdate'] });
    }
    expect(refusal({ ...claims, ci: undefined, sub: undefined })).toEqual({ missing: ['sub'] });
    expect(refusal({ ...claims, phone_number: 'call me' })).toEqual({ missing: ['phone_number'] });
  });

  it('asks userinfo only when the ID token lacks a needed claim', () => {
    expect(lacksPersonClaims(claims)).toBe(false);
    expect(lacksPersonClaims({ sub: 'abc' })).toBe(true);
  });
});
