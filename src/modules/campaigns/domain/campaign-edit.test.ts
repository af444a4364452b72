import { describe, expect, it } from 'vitest';
import { campaignEditProblems, rotationOrder, type EditableCampaign } from './campaign-edit.ts';
import { buildTenDayRotation, type CampaignWindow } from './windows.ts';

const at = (iso: string) => new Date(iso);

function campaign(windows: CampaignWindow[], overrides: Partial<EditableCampaign> = {}): EditableCampaign {
  return { vaccine: { doses: 2, intervalDays: 21 }, queueOpensAt: at('2026-08-09T10:00:00Z'), windows, ...overrides };
}

const rotation = buildTenDayRotation({ firstDate: '2026-08-09' }); // r1 opens 2026-08-09 20:00 Seoul = 11:00Z
const open: CampaignWindow = { id: 'open', kind: 'open', opensAt: at('2026-08-25T11:00:00Z'), closesAt: at('2026-09-30T09:00:00Z'), birthDayDigits: null, bornFrom: null, bornTo: null };
const before = campaign([...rotation, open]);

describe('campaignEditProblems', () => {
  it('allows any valid change before the queue opens', () => {
    const now = at('2026-08-01T00:00:00Z');
    const after = campaign([...buildTenDayRotation({ firstDate: '2026-08-12' }).slice(0, 5), open], { vaccine: { doses: 1, intervalDays: 0 }, queueOpensAt: at('2026-08-12T10:00:00Z') });
    expect(campaignEditProblems(before, after, now)).toEqual([]);
  });

  it('fixes the queue opening once it has happened, and the first window opening once that has', () => {
    const inPrequeue = at('2026-08-09T10:30:00Z');
    expect(campaignEditProblems(before, campaign([...rotation, open], { queueOpensAt: at('2026-08-09T10:15:00Z') }), inPrequeue)).toEqual([
      'queueOpensAt cannot move: the queue has already opened',
    ]);
    const moved = buildTenDayRotation({ firstDate: '2026-08-10' });
    expect(campaignEditProblems(before, campaign([...moved, open]), inPrequeue)).toEqual([]);
    const afterOpening = at('2026-08-09T12:00:00Z');
    expect(campaignEditProblems(before, campaign([...moved, open]), afterOpening)).toContain('the first window has opened: the first opening cannot move');
  });

  it('keeps an opened window: no removal, same opening and people; it may close now or later but not in the past', () => {
    const now = at('2026-08-10T12:00:00Z'); // r1 and r2 have opened
    const without = campaign([...rotation.slice(1), open]);
    expect(campaignEditProblems(before, without, now)).toContain('window "r1" has opened and cannot be removed (close it instead)');
    const otherDigits = campaign([{ ...rotation[0]!, birthDayDigits: [1] }, ...rotation.slice(1), open]);
    expect(campaignEditProblems(before, otherDigits, now)).toContain('window "r1" has opened: who it admits cannot change');
    const closedInPast = campaign([rotation[0]!, { ...rotation[1]!, closesAt: at('2026-08-10T11:30:00Z') }, ...rotation.slice(2), open]);
    expect(campaignEditProblems(before, closedInPast, now)).toEqual(['window "r2" has opened: it may close now at the earliest, not in the past']);
    const closedNow = campaign([rotation[0]!, { ...rotation[1]!, closesAt: now }, ...rotation.slice(2), open]);
    expect(campaignEditProblems(before, closedNow, now)).toEqual([]);
    const laterOpenWindow = campaign([...rotation, { ...open, opensAt: at('2026-08-26T11:00:00Z') }]);
    expect(campaignEditProblems(before, laterOpenWindow, now)).toEqual([]);
  });

  it('fixes doses, interval and the rotation set once windows have opened', () => {
    const now = at('2026-08-10T12:00:00Z');
    expect(campaignEditProblems(before, campaign([...rotation, open], { vaccine: { doses: 2, intervalDays: 28 } }), now)).toEqual([
      'vaccine.doses and vaccine.intervalDays cannot change once a window has opened',
    ]);
    const extra: CampaignWindow = { ...rotation[9]!, id: 'r11', opensAt: at('2026-08-19T11:00:00Z'), closesAt: at('2026-08-20T09:00:00Z') };
    expect(campaignEditProblems(before, campaign([...rotation, extra, open]), now)).toEqual([
      'the rotation has started: its windows cannot be added, removed or reordered',
    ]);
  });

  it('keeps the openings of every round whose pre-queue has opened, so no one changes round', () => {
    const now = at('2026-08-10T10:30:00Z'); // day 2's pre-queue (from 19:00 Seoul) is filling
    const catchup: CampaignWindow = { ...open, id: 'catchup', kind: 'catchup', bornFrom: '1960-01-01' };
    const inserted = campaign([...rotation, open, { ...catchup, opensAt: at('2026-08-10T02:00:00Z'), closesAt: at('2026-08-10T09:00:00Z') }]);
    expect(campaignEditProblems(before, inserted, now)).toContain('a pre-queue has opened: the window openings up to its round cannot be added, removed or moved');
    const later = campaign([...rotation, open, { ...catchup, opensAt: at('2026-08-20T11:00:00Z'), closesAt: at('2026-08-21T09:00:00Z') }]);
    expect(campaignEditProblems(before, later, now)).toEqual([]);
  });

  it('orders rotation windows by opening, then id', () => {
    expect(rotationOrder([rotation[2]!, open, rotation[0]!, rotation[1]!])).toEqual(['r1', 'r2', 'r3']);
  });
});
