/**
 * A witness of Yeyak's public queue logs (docs/transparency.md "Witnesses"), run by someone other
 * than the operator: every second it fetches each campaign's checkpoint, checks that the log's
 * tree extends the last one it cosigned (C2SP tlog-witness semantics), cosigns it (C2SP
 * tlog-cosignature) and hands the cosignature to the log, which serves it with the checkpoint. It
 * refuses — loudly, and for good — a log that shows a history contradicting one it cosigned.
 *
 *   npm run witness -- --new-key witness.example/yeyak      # prints a key; keep the first line secret
 *   YEYAK_WITNESS_KEY=PRIVATE+KEY+… npm run witness -- --url https://yeyak.example --log-key <log verifier key> --campaign 2026-covid-booster [--campaign …] --state witness.json [--once]
 *
 * The log's deployment names the witness's verifier key in YEYAK_LOG_WITNESSES to accept its cosignatures.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { httpLogFetch } from '../src/modules/transparency/audit/download-log.ts';
import { witnessOf } from '../src/modules/transparency/domain/cosignature.ts';
import { COSIGNATURE_V1, generateSignerKey, isKeyName } from '../src/lib/signed-note.ts';
import { witnessOnce, type WitnessMemory } from '../src/modules/transparency/witness/witness.ts';

function usage(message: string): never {
  console.error(`${message}\nusage: npm run witness -- --url <base URL> --log-key <verifier key> --campaign <id> [--campaign …] --state <file> [--interval 1000] [--once]\n       npm run witness -- --new-key <name>`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { url: { type: 'string' }, 'log-key': { type: 'string' }, campaign: { type: 'string', multiple: true }, state: { type: 'string' }, interval: { type: 'string', default: '1000' }, once: { type: 'boolean', default: false }, 'new-key': { type: 'string' } },
});
if (values['new-key'] !== undefined) {
  if (!isKeyName(values['new-key'])) usage('--new-key needs a key name without spaces or "+"');
  const key = generateSignerKey(values['new-key'], COSIGNATURE_V1);
  console.log(key);
  console.error(`verifier key (for the log's YEYAK_LOG_WITNESSES): ${witnessOf(key).verifierKey}`);
  process.exit(0);
}
if (!values.url || !values['log-key'] || !values.campaign?.length || !values.state) usage('--url, --log-key, --campaign and --state are required');
if (!process.env.YEYAK_WITNESS_KEY) usage('YEYAK_WITNESS_KEY (a cosignature signer key, from --new-key) is required');
const witness = witnessOf(process.env.YEYAK_WITNESS_KEY);
const { url, state: stateFile } = values;
const logKey = values['log-key'];
const campaigns = values.campaign;
const get = httpLogFetch(url);
const memory: Record<string, WitnessMemory> = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, WitnessMemory>) : {};
const tiles = new Map<string, Map<string, Buffer>>();
let refusals = 0;

/** Remembers a cosigned checkpoint before its cosignature leaves: a crash never cosigns a fork of it later. */
function remember(campaignId: string, m: WitnessMemory): void {
  memory[campaignId] = m;
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(memory, null, 2));
  renameSync(`${stateFile}.tmp`, stateFile);
}

async function lookAt(campaignId: string): Promise<void> {
  if (!tiles.has(campaignId)) tiles.set(campaignId, new Map());
  const outcome = await witnessOnce(get, campaignId, logKey, witness, memory[campaignId] ?? null, Math.floor(Date.now() / 1000), tiles.get(campaignId));
  if (outcome.kind === 'refused') {
    refusals += 1;
    console.error(`${new Date().toISOString()} ${campaignId}: REFUSED — ${outcome.reason}`);
    return;
  }
  if (outcome.kind === 'unchanged') return;
  remember(campaignId, outcome.memory);
  const res = await fetch(new URL(`/api/v1/campaigns/${encodeURIComponent(campaignId)}/log/cosignatures`, url), { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: outcome.note });
  const answer = await res.text();
  console.log(`${new Date().toISOString()} ${campaignId}: cosigned ${outcome.memory.size} entries${res.ok ? '' : ` — the log refused it: ${res.status} ${answer}`}`);
}

console.log(`witness ${witness.verifierKey} of ${url}, ${campaigns.length} campaign(s)`);
for (;;) {
  for (const campaignId of campaigns) await lookAt(campaignId).catch((error: unknown) => console.error(`${new Date().toISOString()} ${campaignId}: ${(error as Error).message}`));
  if (values.once) break;
  await new Promise((resolve) => setTimeout(resolve, Number(values.interval)));
}
process.exitCode = refusals > 0 ? 1 : 0;
