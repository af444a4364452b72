import { describe, expect, it } from 'vitest';
import { appointmentsCsv } from './appointments-csv.ts';

describe('printable appointment list', () => {
  it('writes a header and one quoted row per appointment, defusing formulas', () => {
    const csv = appointmentsCsv([
      { time: '09:00', kind: 'booking', dose: 1, code: 'AB12-CD34', personMaskedName: '홍*동', birthYear: '1966', vaccine: 'mRNA', status: 'booked' },
      { time: null, kind: 'leftover', dose: null, code: null, personMaskedName: '=cmd"x"', birthYear: '1970', vaccine: 'mRNA', status: 'given' },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'time,kind,dose,code,name,birth_year,vaccine,status',
      '"09:00","booking","1","AB12-CD34","홍*동","1966","mRNA","booked"',
      '"","leftover","","","\'=cmd""x""","1970","mRNA","given"',
      '',
    ]);
  });
});
