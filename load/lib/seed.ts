/**
 * Sets the night up through the operator API only (as an operator would): clinics spread over
 * Seoul's districts, the campaign (a pre-queue, then one window for everyone in the cohort,
 * adaptive admission), and half-hour capacity for five vaccination days plus the same five days
 * after the dose interval, `doses` in all spread evenly, so doses run out for the last comers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { formatSeoul } from '../../src/lib/seoul-time.ts';
import type { AdmissionPolicy } from '../../src/modules/campaigns/campaign.ts';

export const SIGUNGUS = ['종로구', '중구', '용산구', '성동구', '광진구', '동대문구', '중랑구', '성북구', '강북구', '도봉구', '노원구', '은평구', '서대문구', '마포구', '양천구', '강서구', '구로구', '금천구', '영등포구', '동작구', '관악구', '서초구', '강남구', '송파구', '강동구'];
const TIMES = Array.from({ length: 18 }, (_, i) => `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);
const DOSE_DAYS = 5;
const INTERVAL_DAYS = 21;

export interface SeedOptions {
  origin: string;
  operatorKey: string;
  campaignId: string;
  /** Dose-1 doses on sale in all (rounded to whole slots). */
  doses: number;
  clinics: number;
  queueOpensAt: Date;
  opensAt: Date;
  admission: AdmissionPolicy;
}

export interface Seeded {
  clinics: number;
  /** Mean dose-1 doses per slot. */
  dosesPerSlot: number;
  /** Dose-1 doses on sale. */
  doses: number;
  /** The vaccination dates on sale for dose 1. */
  dates: string[];
  seconds: number;
}

function seoulDay(offsetDays: number, from: Date): string {
  return new Date(from.getTime() + 9 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** An operator call; a 503 (the app shedding load while it warms up) is retried for up to a minute. */
async function post(pool: Pool, key: string, path: string, body: unknown): Promise<void> {
  const giveUpAt = performance.now() + 60_000;
  for (;;) {
    const { statusCode, headers, body: stream } = await pool.request({ path, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await stream.text();
    if (statusCode < 300) return;
    if (statusCode !== 503 || performance.now() > giveUpAt) throw new Error(`POST ${path} → ${statusCode}: ${text.slice(0, 500)}`);
    await sleep(Math.min(5, Number(headers['retry-after']) || 1) * 1000);
  }
}

export async function seedNight(options: SeedOptions): Promise<Seeded> {
  const started = performance.now();
  const pool = new Pool(options.origin, { connections: 2 });
  try {
    // At least one clinic per district, so every area search finds something while doses last.
    const clinics = Math.max(SIGUNGUS.length, options.clinics);
    const slots = clinics * DOSE_DAYS * TIMES.length;
    // Doses spread evenly over every slot; `doses mod slots` of them get one more, scattered over
    // the clinics by a stride that is prime (a permutation of the slots unless it divides their count).
    const dosesAt = (slot: number) => Math.floor(options.doses / slots) + ((slot * 7919) % slots < options.doses % slots ? 1 : 0);
    const institutions = Array.from({ length: clinics }, (_, i) => ({
      id: `${options.campaignId}-c${i}`,
      name: `부하시험 ${i} 내과의원`,
      address: `서울특별시 ${SIGUNGUS[i % SIGUNGUS.length]} 시험로 ${i + 1}`,
      sido: '서울특별시',
      sigungu: SIGUNGUS[i % SIGUNGUS.length],
      lat: 37.45 + (i % 100) * 0.002,
      lng: 126.85 + Math.floor(i / 100) * 0.002,
    }));
    for (let i = 0; i < institutions.length; i += 2000) await post(pool, options.operatorKey, '/api/v1/admin/institutions', institutions.slice(i, i + 2000));
    await post(pool, options.operatorKey, '/api/v1/admin/campaigns', {
      id: options.campaignId,
      name: `Opening night load run ${options.campaignId}`,
      cohort: { bornFrom: '1950-01-01', bornTo: '2003-12-31' },
      vaccine: { name: 'mRNA', doses: 2, intervalDays: INTERVAL_DAYS },
      queueOpensAt: formatSeoul(options.queueOpensAt),
      windows: [{ id: 'open', opensAt: formatSeoul(options.opensAt), closesAt: formatSeoul(new Date(options.opensAt.getTime() + 86_400_000)), birthDayDigits: null }],
      proxyAllowed: false,
      admission: options.admission,
    });
    // Dose 1 on the first five days from tomorrow (Seoul); dose 2 the same days after the interval.
    const dates = Array.from({ length: DOSE_DAYS }, (_, d) => seoulDay(d + 1, options.opensAt));
    const secondDates = Array.from({ length: DOSE_DAYS }, (_, d) => seoulDay(d + 1 + INTERVAL_DAYS, options.opensAt));
    let rows: { institutionId: string; date: string; time: string; doses: number }[] = [];
    let slot = 0;
    for (const institution of institutions) {
      for (const [d, date] of dates.entries()) {
        for (const time of TIMES) {
          const doses = dosesAt(slot++);
          // Dose 2 falls on the same clinic `INTERVAL_DAYS` later: the same quantity there.
          if (doses > 0) rows.push({ institutionId: institution.id, date, time, doses }, { institutionId: institution.id, date: secondDates[d]!, time, doses });
        }
      }
      if (rows.length >= 5_000) {
        await post(pool, options.operatorKey, `/api/v1/admin/campaigns/${options.campaignId}/capacity`, rows);
        rows = [];
      }
    }
    if (rows.length) await post(pool, options.operatorKey, `/api/v1/admin/campaigns/${options.campaignId}/capacity`, rows);
    return { clinics, dosesPerSlot: options.doses / slots, doses: options.doses, dates, seconds: (performance.now() - started) / 1000 };
  } finally {
    await pool.close();
  }
}
