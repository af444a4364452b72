import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeClient } from '../probe/client.ts';
import { probeMetrics } from '../probe/metrics.ts';
import { runRound, type ProbeOptions } from '../probe/probe.ts';
import { PROBE_CAMPAIGN_ID, seedProbeIfMissing } from '../src/modules/demo/probe-seed.ts';
import { LiveFeed, type LiveFrame } from '../src/modules/operator/live/live-feed.ts';
import { enqueueRemindersFor } from '../src/modules/notifications/notifications.repository.ts';
import { fanOutEvents } from '../src/modules/outbox/outbox-jobs.repository.ts';
import { admitted, ok, operator, person, seedCampaign } from './support/fixtures.ts';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/test-app.ts';

const PROBE_KEY = 'test-probe-key-0123456789';
const probe = { authorization: `Bearer ${PROBE_KEY}` };

/**
 * The synthetic probe against a real node: the demo's probe campaign (seeded as `YEYAK_DEMO=1`
 * with `YEYAK_PROBE_KEY` seeds it) beside a real campaign with a 10-day rotation, the node's queue
 * ticking on its injected clock while the probe runs over real HTTP.
 */
describe('the synthetic probe', () => {
  let t: TestApp;
  let options: ProbeOptions;
  let ticker: NodeJS.Timeout;
  let ticking: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    t = await startTestApp({ env: { YEYAK_PROBE_KEY: PROBE_KEY } });
    expect(await seedProbeIfMissing(t.ctx)).toBe(true);
    expect(await seedProbeIfMissing(t.ctx)).toBe(false);
    const rotation = Array.from({ length: 10 }, (_, i) => ({
      id: `r${i + 1}`,
      kind: 'rotation',
      opensAt: `2026-08-${String(8 + i).padStart(2, '0')}T20:00:00+09:00`,
      closesAt: `2026-08-${String(9 + i).padStart(2, '0')}T18:00:00+09:00`,
      birthDayDigits: [(i + 9) % 10],
    }));
    await seedCampaign(t.app, {
      id: 'real',
      institutions: ['real-clinic'],
      dates: ['2026-08-20'],
      times: ['09:00'],
      doses: 5,
      campaign: { vaccine: { name: 'mRNA', doses: 1, intervalDays: 0 }, queueOpensAt: '2026-08-08T19:00:00+09:00', windows: [...rotation, { id: 'open', kind: 'open', opensAt: '2026-08-18T20:00:00+09:00', closesAt: '2026-09-30T18:00:00+09:00', birthDayDigits: null }] },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    // The node's queue moves on its own clock, as its background refresh would move it.
    ticker = setInterval(() => {
      t.clock.advance(20);
      ticking = t.ctx.waitingRoom.refresh();
    }, 20);
    const { port } = t.app.server.address() as AddressInfo;
    options = {
      target: `http://127.0.0.1:${port}/`,
      probeKey: PROBE_KEY,
      intervalSeconds: 10,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      campaignId: PROBE_CAMPAIGN_ID,
      labels: ['probe-3'],
      stepDeadlineMs: 10_000,
      admissionDeadlineMs: 30_000,
      daysAhead: 4,
      once: true,
    };
  });

  afterAll(async () => {
    clearInterval(ticker);
    await ticking.catch(() => undefined);
    await t?.close();
  });

  it('books and cancels through the public API as a synthetic person, and finds every rule as it computes it', async () => {
    const metrics = probeMetrics();
    for (const label of ['probe-3', 'probe-9', 'probe-3']) {
      const round = await runRound(options, new ProbeClient(options.target), metrics, label);
      expect(round.failure?.message ?? null).toBeNull();
      expect(round.journey!.bookingCode).toMatch(/\S/);
      expect(round.canary!.violations).toEqual([]);
      // The real campaign's edges by my-window (the probe's own is not public), and the person's eligibility by /me.
      expect(round.canary!.checked).toBeGreaterThan(20);
    }
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^yeyak_probe_up 1$/m);
    expect(text).toMatch(/^yeyak_probe_step_duration_seconds_count\{step="book"\} 3$/m);
    expect(text).toMatch(/^yeyak_probe_rule_violations_total\{rule="cohort"\} 0$/m);
    expect(text).toMatch(/^yeyak_probe_last_success_timestamp_seconds \d+/m);
    // The operators' live dashboard (any campaign's) says when the probe last booked.
    const feed = new LiveFeed(t.ctx, t.app.log, 1);
    const frames: string[] = [];
    const stop = feed.subscribe('real', (chunk) => frames.push(chunk));
    await feed.tick();
    stop();
    const frame = JSON.parse(frames.at(-1)!.slice('data: '.length)) as LiveFrame;
    expect(frame.probe.secondsAgo).toBeLessThanOrEqual(5);
    expect(frame.nodes).toBe(1);
    // Each journey cancelled what it booked: the probe campaign holds no live booking.
    const live = await t.ctx.db.selectFrom('bookings').select('id').where('campaign_id', '=', PROBE_CAMPAIGN_ID).where('status', '=', 'booked').execute();
    expect(live).toEqual([]);
  });

  it('fails the journey at the step that fails, and says so in its metrics', async () => {
    const metrics = probeMetrics();
    const round = await runRound({ ...options, probeKey: 'not-the-probe-key-at-all' }, new ProbeClient(options.target), metrics, 'probe-3');
    expect(round.journey).toBeNull();
    expect(round.failure).toMatchObject({ step: 'sign-in', reason: 'http_401' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^yeyak_probe_up 0$/m);
    expect(text).toMatch(/^yeyak_probe_failures_total\{step="sign-in",reason="http_401"\} 1$/m);
  });

  it('opens one door with its credential: a registered synthetic person, never a citizen or anything else', async () => {
    const signIn = (label: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/v1/identity/probe', headers, payload: { label } });
    expect((await signIn('probe-1', probe)).statusCode).toBe(201);
    expect((await signIn('probe-1', { authorization: 'Bearer wrong-key-wrong-key-wrong' })).json().error.code).toBe('YEYAK_ERR_PROBE_UNAUTHENTICATED');
    expect((await signIn('probe-1', {})).statusCode).toBe(401);
    expect((await signIn('probe-1', { authorization: `Bearer ${OPERATOR_KEY}` })).statusCode).toBe(401);
    // A label nobody registered: no session, whoever it might be meant to name.
    expect((await signIn('someone-else', probe)).json().error.code).toBe('YEYAK_ERR_NOT_SYNTHETIC');
    // The probe key is no operator key and no session.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/campaigns', headers: probe })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: probe })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/real/queue/tickets', headers: probe })).statusCode).toBe(401);
    // Registering synthetic persons is an operator's act, audited.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/probe/identities', headers: probe, payload: { identities: [{ label: 'x', birthDate: '1980-01-01' }] } })).statusCode).toBe(401);
    expect(await ok(t.app, 'POST', '/api/v1/admin/probe/identities', { identities: [{ label: 'probe-extra', birthDate: '1980-02-29' }] }, operator)).toEqual({ registered: 1 });
    expect((await signIn('probe-extra', probe)).json().person).toEqual({ maskedName: 'probe-extra', birthDate: '1980-02-29' });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'probe.identities.registered').execute();
    expect(audit.map((a) => a.details)).toContainEqual({ count: 1 });
  });

  it('keeps the probe out of everything public and real: lists, citizens, the registry, messages, reminders, statistics', async () => {
    const now = () => t.clock.now();
    // Hidden from the public list; the operator sees it, flagged.
    expect((await ok(t.app, 'GET', '/api/v1/campaigns')).map((c: { id: string }) => c.id)).toEqual(['real']);
    expect((await ok(t.app, 'GET', '/api/v1/admin/campaigns', undefined, operator)).find((c: { id: string }) => c.id === PROBE_CAMPAIGN_ID)).toMatchObject({ synthetic: true });
    // A citizen neither sees nor joins it.
    const citizen = await person(t.app, '1970-05-20');
    const citizenMe = await ok(t.app, 'GET', '/api/v1/me', undefined, citizen);
    expect(citizenMe.eligibility.map((e: { campaignId: string }) => e.campaignId)).toEqual(['real']);
    const citizenJoin = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${PROBE_CAMPAIGN_ID}/queue/tickets`, headers: citizen });
    expect(citizenJoin.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'PROBE_CAMPAIGN' } });
    // A synthetic person is told what the rules say of a real campaign, and never takes its dose.
    t.clock.set('2026-08-19T02:00:00Z'); // the open window
    const citizenNow = await person(t.app, '1970-05-20');
    const synthetic = { authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/probe', { label: 'probe-0' }, probe)).session}` };
    const syntheticMe = await ok(t.app, 'GET', '/api/v1/me', undefined, synthetic);
    expect(syntheticMe.eligibility.map((e: { campaignId: string; reason: string }) => [e.campaignId, e.reason]).sort()).toEqual([
      [PROBE_CAMPAIGN_ID, 'ELIGIBLE'],
      ['real', 'SYNTHETIC_PERSON'],
    ]);
    const syntheticJoin = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/real/queue/tickets', headers: synthetic });
    expect(syntheticJoin.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'SYNTHETIC_PERSON' } });
    // One live booking each: the citizen's in the real campaign, the synthetic person's in the probe's.
    const citizenAccess = await admitted(t, citizenNow, 'real');
    // The real campaign's clinics, for the citizen: never the probe's clinic or its doses.
    const search = await ok(t.app, 'GET', '/api/v1/campaigns/real/institutions?date=2026-08-20&limit=100', undefined, citizenAccess);
    expect(search.items.map((i: { id: string }) => i.id)).toEqual(['real-clinic']);
    const citizenBooking = (await ok(t.app, 'POST', '/api/v1/campaigns/real/bookings', { institutionId: 'real-clinic', date: '2026-08-20', time: '09:00' }, citizenAccess)).booking;
    const probeBooking = (await ok(t.app, 'POST', `/api/v1/campaigns/${PROBE_CAMPAIGN_ID}/bookings`, { institutionId: 'probe-clinic', date: '2026-08-25', time: '09:00' }, await admitted(t, synthetic, PROBE_CAMPAIGN_ID))).booking;
    await ok(t.app, 'POST', `/api/v1/bookings/${probeBooking.id}/cancel`, undefined, synthetic);
    const probeBookingAgain = (await ok(t.app, 'POST', `/api/v1/campaigns/${PROBE_CAMPAIGN_ID}/bookings`, { institutionId: 'probe-clinic', date: '2026-08-20', time: '09:30' }, await admitted(t, synthetic, PROBE_CAMPAIGN_ID))).booking;
    // Every event goes through the outbox; only the citizen's becomes registry and message jobs.
    while ((await fanOutEvents(t.ctx.db, now(), 100)) > 0);
    const jobsOf = async (bookingId: string) => (await t.ctx.db.selectFrom('outbox_jobs').select('consumer').where('aggregate_id', '=', bookingId).execute()).map((j) => j.consumer).sort();
    expect(await jobsOf(citizenBooking.id)).toEqual(['messages', 'registry']);
    expect(await jobsOf(probeBooking.id)).toEqual([]);
    expect(await jobsOf(probeBookingAgain.id)).toEqual([]);
    const unprocessed = await t.ctx.db.selectFrom('outbox').select('id').where('processed_at', 'is', null).execute();
    expect(unprocessed).toEqual([]);
    // The day before, only the citizen is reminded.
    await enqueueRemindersFor(t.ctx.db, '2026-08-19', now());
    expect((await jobsOf(citizenBooking.id)).filter((c) => c === 'messages')).toHaveLength(2);
    expect(await jobsOf(probeBookingAgain.id)).toEqual([]);
    // The real campaign's statistics count the citizen alone.
    expect(await ok(t.app, 'GET', '/api/v1/admin/campaigns/real/stats', undefined, operator)).toMatchObject({ booked: 1 });
    // A campaign never changes between real and synthetic.
    const campaigns = await ok(t.app, 'GET', '/api/v1/admin/campaigns', undefined, operator);
    const { synthetic: _flag, ...realBody } = campaigns.find((c: { id: string }) => c.id === 'real');
    const edit = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/campaigns/real', headers: operator, payload: { ...realBody, kind: undefined, synthetic: true } });
    expect(edit.json().error?.code).toBe('YEYAK_ERR_CAMPAIGN_EDIT_REFUSED');
  });
});
