/**
 * What a new person's join costs without HTTP: the join fast path's own work (verify the session,
 * open its sealed claims, the eligibility rules, the in-process store's join and the journal's
 * write of the place, sign the ticket, the JSON body and the `Set-Cookie` value), 64 joins in
 * flight in this process on the embedded default, and then its three cryptographic operations
 * alone. Against bare `node:http`'s CPU per request
 * (`npm run bench:queue`), it bounds the join's ratio from above: a join can cost no less than
 * a bare request plus this work. Its CPU is the whole process's: the embedded database's thread,
 * which journals the new places, included, and told apart by thread.
 *
 *   npm run bench:join-work -- [people, default 40000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.ts';
import { createContext } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { appEnvironment } from '../bench/lib/app-env.ts';
import { threadsCpuSeconds } from '../bench/lib/cpu.ts';
import { personOfKey, sessionClaims, verifySessionToken } from '../src/modules/identity/session-auth.ts';
import { sealedFacts, takePlace } from '../src/modules/waiting-room/take-place.ts';
import { signTicket, ticketSetCookie } from '../src/modules/waiting-room/credentials.ts';

const env = appEnvironment(mkdtempSync(join(tmpdir(), 'jf-')), {});
const config = loadConfig(env);
const ctx = await createContext(config);
const app = await buildApp(ctx);
const op = { authorization: `Bearer ${env.YEYAK_OPERATOR_KEY}`, 'content-type': 'application/json' };
const now = new Date();
const iso = (ms: number) => new Date(ms).toISOString();
const body = { id: 'jf', name: 'jf', cohort: { bornFrom: '1940-01-01', bornTo: '2005-12-31' }, vaccine: { name: 'mRNA', doses: 2, intervalDays: 21 }, queueOpensAt: iso(now.getTime() - 3600_000), windows: [{ id: 'open', opensAt: iso(now.getTime() - 1800_000), closesAt: iso(now.getTime() + 86400_000 * 5), birthDayDigits: null }], proxyAllowed: false, admission: { mode: 'fixed', ratePerSecond: 10, maxActive: 1000 } };
const res = await app.inject({ method: 'POST', url: '/api/v1/admin/campaigns', headers: op, payload: body });
if (res.statusCode !== 201) throw new Error(res.body);
await ctx.waitingRoom.refresh();
const N = Math.max(2000, Number(process.argv[2] ?? 40000) || 40000);
const tokens: string[] = [];
for (let i = 0; i < N + 5000; i++) {
  const personKey = `pk-${i}-${Math.random().toString(36).slice(2)}`;
  const person = { personKey, birthDate: '1970-05-15', maskedName: '김*수' };
  tokens.push(ctx.signer.sign('session', personKey, new Date(), 3600, sessionClaims(ctx, person, { checkedCampaigns: ['jf'], vaccinatedFor: [] })));
}
console.log(`${N + 5000} sessions minted (a session token is ${tokens[0]!.length} bytes); 5,000 joins to warm up, then ${N / 2} of each kind`);
const campaign = await ctx.campaigns.get('jf');
async function joinOnce(token: string) {
  const session = verifySessionToken(ctx, token);
  const c = await ctx.campaigns.get('jf');
  const person = await personOfKey(ctx, session.personKey, session);
  const taken = await takePlace(ctx, ctx.waitingRoom, { campaign: c, person, by: null, sealed: sealedFacts(session, c.id), ticketCookie: undefined, personSeal: session.seal });
  const b = JSON.stringify({ ticket: taken.ticket, position: taken.position, state: taken.state });
  return b.length + ticketSetCookie(ctx, c.id, taken.ticket).length;
}
function cryptoOnce(token: string) {
  const session = verifySessionToken(ctx, token);
  void session.person;
  const t = signTicket(ctx, { personKey: session.personKey, by: null, campaignId: campaign.id, position: 1, personSeal: session.seal });
  return t.length;
}
/**
 * `count` joins, `IN_FLIGHT` at a time as wrk's connections would send them: each answer waits for
 * its place's journal write (group commit, BRIEF §4.6), so one join at a time would time the
 * commit's wait, not the work; the sum of the answers' sizes.
 */
const IN_FLIGHT = 64;
async function joinMany(first: number, count: number): Promise<number> {
  let next = first;
  let bytes = 0;
  const end = first + count;
  const lane = async () => {
    while (next < end) {
      const answered = await joinOnce(tokens[next++]!);
      bytes += answered;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return bytes;
}
let i = 0;
await joinMany(i, 5000); // warm-up
i += 5000;
const threads0 = threadsCpuSeconds(process.pid); const cpu0 = process.cpuUsage(); const main0 = process.threadCpuUsage(); const t0 = performance.now();
const bytes = await joinMany(i, N / 2);
i += N / 2;
const cpu1 = process.cpuUsage(cpu0); const main1 = process.threadCpuUsage(main0); const t1 = performance.now(); const threads1 = threadsCpuSeconds(process.pid);
console.log(`join work (no HTTP): ${(((t1 - t0) * 1000) / (N / 2)).toFixed(1)} µs wall, ${((cpu1.user + cpu1.system) / (N / 2)).toFixed(1)} µs CPU per join (${((main1.user + main1.system) / (N / 2)).toFixed(1)} µs of it on the main thread, the rest the embedded database's thread and the garbage collector's); response+cookie ${Math.round(bytes / (N / 2))} bytes`);
if (threads0 && threads1) {
  const per = (kind: keyof typeof threads0) => (((threads1[kind] - threads0[kind]) * 1e6) / (N / 2)).toFixed(1);
  console.log(`  by thread (/proc, 10 ms ticks): main ${per('main')} µs, the embedded database's worker ${per('database')} µs, the log's hashing thread ${per('hashing')} µs, V8's helpers (garbage collector, compiler) ${per('v8')} µs, others ${per('other')} µs`);
}
const c0 = process.cpuUsage(); const s0 = performance.now();
for (let k = 0; k < N / 2; k++) cryptoOnce(tokens[i++]!);
const c1 = process.cpuUsage(c0); const s1 = performance.now();
console.log(`crypto only (verify session, open seal, sign ticket): ${(((s1 - s0) * 1000) / (N / 2)).toFixed(1)} µs wall, ${((c1.user + c1.system) / (N / 2)).toFixed(1)} µs CPU`);
await app.close();
process.exit(0);
