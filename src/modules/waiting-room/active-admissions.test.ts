import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActiveAdmissions } from './active-admissions.ts';

describe('active admissions', () => {
  it('counts exactly the admissions valid at each instant, through admits, extensions and releases', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), person: fc.integer({ min: 0, max: 20 }), ttl: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant('delete' as const), person: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const active = new ActiveAdmissions();
        const model = new Map<number, number>();
        let now = 0;
        for (const o of ops) {
          if (o.kind === 'set') {
            const expiresAtMs = now + o.ttl;
            active.set(`p${o.person}`, { id: `a${o.person}`, expiresAtMs });
            model.set(o.person, expiresAtMs);
          } else if (o.kind === 'delete') {
            active.delete(`p${o.person}`);
            model.delete(o.person);
          } else now += o.by;
          expect(active.count(now)).toBe([...model.values()].filter((e) => e > now).length);
        }
      }),
    );
  });
});
