import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await seedCampaign(t.app, { id: 'ops', institutions: ['M1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 10 });
});
afterAll(() => t.close());

describe('metrics', () => {
  it('exports the waiting room and the booking path for Prometheus, with no personal data', async () => {
    const who = await person(t.app, '1966-06-06', '메트릭');
    await ok(t.app, 'POST', '/api/v1/campaigns/ops/bookings', { institutionId: 'M1', date: '2026-08-20', time: '09:00' }, await admitted(t, who, 'ops'));
    await t.ctx.waitingRoom.refresh();
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    for (const name of [
      'yeyak_queue_joined{campaign="ops"} 1',
      'yeyak_queue_serving_up_to{campaign="ops"}',
      'yeyak_queue_waiting{campaign="ops"}',
      'yeyak_queue_admit_rate_per_second{campaign="ops"}',
      'yeyak_queue_active_admissions{campaign="ops"}',
      'yeyak_queue_snapshot_age_seconds{campaign="ops"}',
      'yeyak_admissions_issued_total{campaign="ops"} 1',
      'yeyak_booking_path_seconds_count{route="/api/v1/campaigns/:campaignId/bookings",status="2xx"} 1',
      'yeyak_bookings_total{result="booked"} 1',
      'yeyak_shed_requests_total',
      'yeyak_queue_store_up 1',
    ]) {
      expect(res.body, name).toContain(name);
    }
    expect(res.body).not.toContain('메트릭');
    // The birth date in any of its forms (not the bare year: a CPU figure such as 1.196673 holds it by chance).
    for (const form of ['1966-06-06', '19660606']) expect(res.body).not.toContain(form);
  });
});

describe('load shedding', () => {
  /**
   * An app on the default thresholds whose event loop is really behind: for 4 s every turn takes
   * 900 ms (a CPU-bound overload), longer than the whole window the node must be behind for.
   */
  async function saturatedApp() {
    const busy = await startTestApp();
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      const turn = Date.now() + 900;
      while (Date.now() < turn) {
        // Block the event loop, as a CPU-bound overload would.
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    return busy;
  }

  it('answers 503 with Retry-After in seconds when the event loop is saturated, and keeps liveness', async () => {
    const busy = await saturatedApp();
    try {
      const res = await busy.app.inject({ method: 'GET', url: '/api/v1/campaigns' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatchObject({ code: 'YEYAK_ERR_UNAVAILABLE', details: { shed: 'eventLoopDelay' } });
      expect(res.headers['retry-after']).toBe('2');
      expect((await busy.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
      // Readiness says so too: a balancer stops sending what would be refused.
      expect((await busy.app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode).toBe(503);
      const metrics = await busy.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/yeyak_shed_requests_total\{cause="eventLoopDelay"\} [1-9]/);
    } finally {
      await busy.close();
    }
  });

  it('does not count a booking-path request it shed as the path\'s failure (the admission controller would cut for the node\'s saturation)', async () => {
    const busy = await saturatedApp();
    try {
      const res = await busy.app.inject({ method: 'GET', url: '/api/v1/campaigns/c-any/institutions?sido=11' });
      expect(res.statusCode).toBe(503);
      // Prometheus still sees the 503 on the route; the controller's health window sees no call.
      const metrics = await busy.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/yeyak_booking_path_seconds_count\{route="\/api\/v1\/campaigns\/:campaignId\/institutions",status="5xx"\} 1/);
      expect(busy.ctx.waitingRoom.bookingPath.health(busy.clock.now().getTime(), 0)).toMatchObject({ errors: 0, errorRate: 0, p99LatencyMs: 0 });
    } finally {
      await busy.close();
    }
  });

  it('does not shed after one long task, however long, nor while its first window is being measured', async () => {
    const app = await startTestApp();
    try {
      const until = Date.now() + 2_500;
      while (Date.now() < until) {
        // One long task: a node that is interrupted, not behind.
      }
      for (let i = 0; i < 5; i++) {
        expect((await app.app.inject({ method: 'GET', url: '/api/v1/campaigns' })).statusCode).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await app.app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode).toBe(200);
      expect((await app.app.inject({ method: 'GET', url: '/metrics' })).body).not.toMatch(/yeyak_shed_requests_total\{cause="eventLoopDelay"\} [1-9]/);
    } finally {
      await app.close();
    }
  });
});
