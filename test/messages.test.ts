import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../src/outbox-workers.ts';
import { startMessageGatewayStandIn, type MessageGatewayStandIn } from '../src/stand-ins/message-gateway/gateway-server.ts';
import { admitted, ok, operator, seedCampaign } from './support/fixtures.ts';
import { drain, jobCounts } from './support/outbox-helpers.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Messages go out through the outbox to a gateway stand-in over HTTP (latency, failures, lost
 * replies): one per committed booking event, none for a booking that rolled back, none twice.
 */
describe('booking messages', () => {
  let t: TestApp;
  let gateway: MessageGatewayStandIn;

  beforeAll(async () => {
    gateway = await startMessageGatewayStandIn({ behaviour: { latencyMs: [0, 5], failureRate: 0.25, ackLossRate: 0.25 } });
    t = await startTestApp({ env: { YEYAK_MESSAGE_GATEWAY_URL: gateway.url } });
    // One clinic with a single dose per slot: the second taker of a slot rolls back.
    await seedCampaign(t.app, { id: 'msg', institutions: ['M1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30', '10:00'], doses: 1 });
  });

  afterAll(async () => {
    await t.close();
    await gateway.close();
  });

  const signIn = async (name: string, phone: string) => ({ authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/dev', { name, birthDate: '1970-03-04', phone })).session}` });
  const book = async (who: { authorization: string }, time: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/campaigns/msg/bookings', headers: await admitted(t, who, 'msg'), payload: { institutionId: 'M1', date: '2026-08-20', time } });
  const inbox = (phone: string) => [...gateway.messages.values()].filter((m) => m.to.replace(/\D/g, '') === phone.replace(/\D/g, ''));

  it('sends one message per committed booking and none for bookings that rolled back', async () => {
    const worker = createOutboxWorker(t.ctx, { random: () => 0.5 });
    const winner = await signIn('김하나', '010-5000-0001');
    const losers = [await signIn('이둘', '010-5000-0002'), await signIn('박셋', '010-5000-0003')];
    expect((await book(winner, '09:00')).statusCode).toBe(201);
    for (const loser of losers) expect((await book(loser, '09:00')).json().error.code).toBe('YEYAK_ERR_SOLD_OUT');
    // A second booking by the winner rolls back too (one live booking per campaign).
    expect((await book(winner, '09:30')).json().error.code).toBe('YEYAK_ERR_ALREADY_BOOKED');
    // Nothing is sent inside the request: only after the commit, by the relay.
    expect(gateway.messages.size).toBe(0);

    await drain(t, worker, 'messages');
    expect(await jobCounts(t, 'messages')).toEqual({ done: 1 });
    const [confirmation, ...more] = inbox('010-5000-0001');
    expect(more).toEqual([]);
    expect(confirmation!.template).toBe('booking.created');
    expect(confirmation!.text).toMatch(/^\[예약\] 김\*나님, 예방접종 예약이 완료되었습니다\. 예약번호 [\w-]+\. M1 내과의원: 1차 2026-08-20 09:00 \/ 2차 2026-09-10 09:00/);
    for (const phone of ['010-5000-0002', '010-5000-0003']) expect(inbox(phone)).toEqual([]);
    // However often replies were lost and retried, each key was sent once.
    expect(gateway.posts()).toBeGreaterThanOrEqual(gateway.messages.size);
  });

  it('notices a change and a cancellation in the person\'s language, and reminds the day before once', async () => {
    const worker = createOutboxWorker(t.ctx, { random: () => 0.5 });
    const who = await signIn('Jane Park', '010-5000-0009');
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/me/message-language', headers: who, payload: { language: 'en' } })).json()).toEqual({ language: 'en' });
    const booking = (await book(who, '10:00')).json().booking;
    await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/change`, { institutionId: 'M1', date: '2026-08-20', time: '09:30' }, await admitted(t, who, 'msg'));
    await drain(t, worker, 'messages');
    expect(inbox('010-5000-0009').map((m) => m.template).sort()).toEqual(['booking.changed', 'booking.created']);
    expect(inbox('010-5000-0009').find((m) => m.template === 'booking.changed')!.text).toContain('your booking was changed');

    // The day before the appointment, from 09:00 Seoul: one reminder, however many rounds run.
    t.clock.set('2026-08-19T01:00:00Z');
    await drain(t, worker, 'messages');
    t.clock.advance(11 * 60_000);
    await drain(t, worker, 'messages');
    const reminders = inbox('010-5000-0009').filter((m) => m.template === 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toBe(`[Yeyak] J*******k, tomorrow (2026-08-20) at 09:30: dose 1 at M1 내과의원. Booking code ${booking.code}.`);

    t.clock.set('2026-08-10T02:00:00Z');
    await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/cancel`, undefined, who);
    await drain(t, worker, 'messages');
    expect(inbox('010-5000-0009').filter((m) => m.template === 'booking.cancelled')).toHaveLength(1);
  });

  it('runs as a loop in the process (as the server starts it) and stops cleanly', async () => {
    const worker = createOutboxWorker(t.ctx, { idleMs: 20 });
    worker.start();
    try {
      const who = await signIn('윤루프', '010-5000-0010');
      // The slot 09:00 is taken; a booking on another day's slot is free.
      await seedCampaign(t.app, { id: 'loop', institutions: ['M2'], dates: ['2026-08-21', '2026-09-11'], times: ['09:00'], doses: 1 });
      await ok(t.app, 'POST', '/api/v1/campaigns/loop/bookings', { institutionId: 'M2', date: '2026-08-21', time: '09:00' }, await admitted(t, who, 'loop'));
      // The loop runs on real timers; its back-off after a gateway failure runs on the manual clock,
      // which moves on here while waiting (bounded) for the delivery.
      // Done means marked done: a lost reply leaves the message sent but the job pending for a retry.
      for (let i = 0; i < 200 && (inbox('010-5000-0010').length === 0 || (await jobCounts(t, 'messages')).pending); i++) {
        t.clock.advance(2_000);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(inbox('010-5000-0010').map((m) => m.template)).toEqual(['booking.created']);
    } finally {
      await worker.stop();
    }
  });

  it('sends a failing job to the dead letters, lists it for operators without personal data, and replays it', async () => {
    const worker = createOutboxWorker(t.ctx, { random: () => 0.5, backoff: { baseMs: 1000, capMs: 1000, maxAttempts: 3 } });
    // Whatever earlier tests left pending goes out first, under the normal policy.
    await drain(t, createOutboxWorker(t.ctx, { random: () => 0.5 }), 'messages');
    Object.assign(gateway.behaviour, { down: true });
    const who = await signIn('최넷', '010-5000-0004');
    await book(who, '10:00');
    await drain(t, worker, 'messages', 5);
    const dead = await ok(t.app, 'GET', '/api/v1/admin/outbox/dead?consumer=messages', undefined, operator);
    expect(dead.items).toHaveLength(1);
    const [letter] = dead.items;
    expect(letter).toMatchObject({ consumer: 'messages', topic: 'booking.created', attempts: 3, lastError: 'Error: message gateway answered 503' });
    expect(JSON.stringify(dead)).not.toMatch(/5000-0004|최넷/);
    expect(inbox('010-5000-0004')).toEqual([]);

    const citizen = await t.app.inject({ method: 'POST', url: `/api/v1/admin/outbox/dead/${letter.id}/replay`, headers: who });
    expect(citizen.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/outbox/dead/999999/replay', headers: operator })).json().error.code).toBe('YEYAK_ERR_OUTBOX_JOB_NOT_FOUND');

    // Back up, and reliable for the replay: with this file's 25% failures (and 25% lost acks), the
    // replayed job's three attempts all failed in about one run in sixty, and it was dead again.
    const { failureRate, ackLossRate } = gateway.behaviour;
    Object.assign(gateway.behaviour, { down: false, failureRate: 0, ackLossRate: 0 });
    try {
      expect(await ok(t.app, 'POST', `/api/v1/admin/outbox/dead/${letter.id}/replay`, undefined, operator)).toEqual({ replayed: [letter.id] });
      await drain(t, worker, 'messages');
    } finally {
      Object.assign(gateway.behaviour, { failureRate, ackLossRate });
    }
    expect(inbox('010-5000-0004').map((m) => m.template)).toEqual(['booking.created']);
    expect((await ok(t.app, 'GET', '/api/v1/admin/outbox/dead', undefined, operator)).items).toEqual([]);
    const audit = await ok(t.app, 'GET', '/api/v1/admin/audit?limit=5', undefined, operator);
    expect(audit.entries.map((e: { action: string }) => e.action)).toContain('outbox.replayed');
    const counts = await ok(t.app, 'GET', '/api/v1/admin/outbox', undefined, operator);
    expect(counts.jobs).toContainEqual({ consumer: 'messages', status: 'done', count: expect.any(Number) });
  });
});
