import pg from 'pg';
import { databaseUrl, PORTS } from '../../deploy/cluster/layout.ts';
import { until } from '../../deploy/cluster/processes.ts';
import { misbehave, replace, restartNode, SIX_HOURS_MS, stopNode, type Topology } from './faults.ts';
import { startNode } from '../../deploy/cluster/up.ts';

/** A breakage an operator must hear of within a minute, and the alerts that should tell them. */
export interface DetectionFault {
  name: string;
  description: string;
  /** Any one of these firing counts as detection. */
  alerts: string[];
  /** Breaks the system; returns how to mend it. */
  inject(t: Topology, run: { origin: string; operatorKey: string; campaignId: string }): Promise<() => Promise<void>>;
}

/** A session on the primary that stays open until the returned function ends it. */
async function heldSession(statements: string[]): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  client.on('error', () => {});
  await client.connect();
  for (const statement of statements) await client.query(statement);
  return async () => {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  };
}

async function onPrimary(statements: string[]): Promise<void> {
  const end = await heldSession(statements);
  await end();
}

/** The faults of issue 20's detection table. */
export const DETECTION_FAULTS: DetectionFault[] = [
  {
    name: 'bookings-locked',
    description: 'a long transaction holds the bookings table (LOCK TABLE bookings IN SHARE ROW EXCLUSIVE MODE): every booking and cancellation hangs, reads go on',
    alerts: ['YeyakProbeFailing', 'YeyakBookingPathErrors', 'YeyakBookingPathVerySlow'],
    inject: () => heldSession(['BEGIN', 'LOCK TABLE bookings IN SHARE ROW EXCLUSIVE MODE']),
  },
  {
    name: 'booking-insert-refused',
    description:
      "every insert into bookings refused with insufficient_privilege (42501), as when the application's role loses INSERT on bookings (a trigger raises it: the lab's nodes connect as the superuser, whose grants cannot be revoked)",
    alerts: ['YeyakBookingPathErrors', 'YeyakProbeFailing'],
    async inject() {
      await onPrimary([
        `CREATE OR REPLACE FUNCTION yeyak_lab_refuse_booking() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'permission denied for table bookings' USING ERRCODE = '42501'; END $$`,
        'DROP TRIGGER IF EXISTS yeyak_lab_refuse_booking ON bookings',
        'CREATE TRIGGER yeyak_lab_refuse_booking BEFORE INSERT ON bookings FOR EACH ROW EXECUTE FUNCTION yeyak_lab_refuse_booking()',
      ]);
      return () => onPrimary(['DROP TRIGGER IF EXISTS yeyak_lab_refuse_booking ON bookings', 'DROP FUNCTION IF EXISTS yeyak_lab_refuse_booking()']);
    },
  },
  {
    name: 'clock-six-hours-ahead',
    description: 'node3 restarted with its clock 6 hours ahead (YEYAK_LAB_CLOCK_OFFSET_MS)',
    alerts: ['YeyakClockSkew'],
    async inject(t) {
      await stopNode(t, 2);
      replace(t, startNode(t.dir, t.state.nodeEnv, 2, { YEYAK_LAB_CLOCK_OFFSET_MS: String(SIX_HOURS_MS) }));
      return async () => {
        await stopNode(t, 2);
        await restartNode(t, 2);
      };
    },
  },
  {
    name: 'admission-rate-zero',
    description: "the crowd's campaign's admission rate set to 0.001 a second (the API refuses 0), fixed: nobody is admitted while people keep joining",
    alerts: ['YeyakQueueStalled'],
    async inject(_t, run) {
      const url = `${run.origin}/api/v1/admin/campaigns/${run.campaignId}/admission`;
      const headers = { authorization: `Bearer ${run.operatorKey}`, 'content-type': 'application/json' };
      const set = async (body: unknown) => {
        const answer = await fetch(url, { method: 'PUT', headers, body: JSON.stringify(body) });
        if (!answer.ok) throw new Error(`PUT ${url} → ${answer.status} ${await answer.text()}`);
        return ((await answer.json()) as { before: unknown }).before;
      };
      const before = await set({ mode: 'fixed', ratePerSecond: 0.001, maxActive: 20_000 });
      return async () => {
        await set(before);
      };
    },
  },
  {
    name: 'registry-down',
    description: 'the immunization registry stand-in down (503 to everything)',
    alerts: ['YeyakRegistryUnreachable'],
    async inject() {
      const before = await misbehave(PORTS.registry, { down: true });
      return async () => {
        await misbehave(PORTS.registry, { down: before.down });
      };
    },
  },
];

/** The alerts firing in Prometheus now, by name. */
export async function firingAlerts(): Promise<Set<string>> {
  const answer = (await (await fetch(`http://127.0.0.1:${PORTS.prometheus}/api/v1/alerts`)).json()) as { data: { alerts: { labels: { alertname: string }; state: string }[] } };
  return new Set(answer.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname));
}

/** Waits until none of `alerts` fires and the probe's last journey succeeded. */
export async function quiet(alerts: string[], timeoutMs: number): Promise<void> {
  await until(
    `${alerts.join(', ')} quiet and the probe succeeding`,
    async () => {
      const firing = await firingAlerts();
      const probeUp = /^yeyak_probe_up 1$/m.test(await (await fetch(`http://127.0.0.1:${PORTS.probe}/metrics`)).text());
      return probeUp && alerts.every((a) => !firing.has(a));
    },
    timeoutMs,
    1000,
  );
}
