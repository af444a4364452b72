import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCanaries } from '../probe/canary.ts';
import { ProbeClient } from '../probe/client.ts';
import type { Campaign } from '../src/modules/campaigns/campaign.ts';
import { campaignView } from '../src/modules/campaigns/campaigns.service.ts';
import { myDay, type MyDay } from '../src/modules/campaigns/domain/my-window.ts';
import { formatSeoul, seoulInstant } from '../src/lib/seoul-time.ts';
import { buildTenDayRotation } from '../src/modules/campaigns/domain/windows.ts';

const campaign: Campaign = {
  id: 'flu',
  name: 'flu',
  cohort: { bornFrom: '1960-01-01', bornTo: '2005-12-31' },
  vaccine: { name: 'v', doses: 1, intervalDays: 0 },
  queueOpensAt: seoulInstant('2026-08-09', '19:00'),
  windows: buildTenDayRotation({ firstDate: '2026-08-09' }),
  proxyAllowed: false,
  admission: { mode: 'fixed', ratePerSecond: 1, maxActive: 1 },
};

/** An hour after the third rotation window opened (2026-08-11 20:00 Seoul). */
const NOW = seoulInstant('2026-08-11', '21:00');

/**
 * A stand-in server that answers `/time`, `/campaigns` and `…/my-window` with the real domain code,
 * reading "now" through `misread` — the identity, or July 2021's kind of bug — and its answer
 * through `mangle`.
 */
function standIn(misread: (now: Date) => Date, mangle: (day: MyDay) => MyDay = (day) => day): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://x');
    const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/api/v1/time') return json({ now: formatSeoul(NOW) });
    if (url.pathname === '/api/v1/campaigns') return json([campaignView(campaign)]);
    if (url.pathname === '/api/v1/campaigns/flu/my-window') {
      const day = mangle(myDay(campaign, url.searchParams.get('birthDate')!, misread(NOW)));
      return json({ campaignId: 'flu', answer: day.answer, birthDayDigit: day.birthDayDigit, windows: day.windows.map((w) => ({ id: w.id })) });
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: Server | undefined;
afterEach(() => server?.close());

const clientOf = (s: Server) => new ProbeClient(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);

describe("the probe's canary of the eligibility rules", () => {
  it('finds nothing to say of a server that reads the clock right', async () => {
    server = await standIn((now) => now);
    const result = await checkCanaries(clientOf(server), null, 5000);
    expect(result.checked).toBeGreaterThan(20);
    expect(result.violations).toEqual([]);
  });

  it("catches a server that reads Seoul's time as UTC: told 'not your window' in their own window", async () => {
    server = await standIn((now) => new Date(now.getTime() - 9 * 3_600_000));
    const result = await checkCanaries(clientOf(server), null, 5000);
    expect(result.violations.length).toBeGreaterThan(0);
    // Those born on a 1st, 11th, 21st or 31st: window r3 is open, the server says it is upcoming.
    expect(result.violations).toContainEqual(expect.objectContaining({ rule: 'window', expected: 'OPEN_NOW r3', actual: 'UPCOMING r3' }));
  });

  it('catches a server that takes the wrong digit of the birth day', async () => {
    // An off-by-one in the 10-day rotation: the digit after the person's.
    server = await standIn((now) => now, (day) => ({ ...day, birthDayDigit: (day.birthDayDigit + 1) % 10 }));
    const result = await checkCanaries(clientOf(server), null, 5000);
    expect(result.violations.length).toBeGreaterThan(20);
    expect(result.violations.every((v) => v.rule === 'digit')).toBe(true);
  });
});
