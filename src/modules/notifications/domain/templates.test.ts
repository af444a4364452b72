import { describe, expect, it } from 'vitest';
import { renderMessage, scheduleLine, TEMPLATE_NAMES } from './templates.ts';

describe('message templates', () => {
  it('renders every template in Korean and English with its parameters', () => {
    const params = { code: 'AB12CD', name: '홍*동', schedule: 's', date: '2026-08-20', time: '09:00', clinic: '중구내과', dose: '1', doses: '3' };
    for (const name of TEMPLATE_NAMES) {
      const ko = renderMessage(name, 'ko', params);
      const en = renderMessage(name, 'en', params);
      expect(ko).toMatch(/^\[예약\]/);
      expect(en).toMatch(/^\[Yeyak\]/);
      expect(`${ko}${en}`).not.toContain('undefined');
    }
  });

  it('refuses to render with a parameter missing', () => {
    expect(() => renderMessage('booking.created', 'ko', { name: '홍*동', code: 'X' })).toThrow(/schedule/);
  });

  it('lists each dose of a booking', () => {
    expect(scheduleLine('ko', 'A의원', [{ dose: 1, date: '2026-08-20', time: '09:00' }, { dose: 2, date: '2026-09-10', time: '09:00' }])).toBe('A의원: 1차 2026-08-20 09:00 / 2차 2026-09-10 09:00');
    expect(scheduleLine('en', 'A', [{ dose: 1, date: '2026-08-20', time: '09:00' }])).toBe('A: dose 1 2026-08-20 09:00');
  });
});
