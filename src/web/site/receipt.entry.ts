// The receipt page: a person's place in the queue's public log (docs/transparency.md "Receipts"),
// checked here in their browser — the log's signature, that the entry is theirs, that it is in the
// signed tree — from the published key and the receipt alone. Linked from the waiting page.
import { api, ApiError } from '../shared/api.ts';
import { showError } from '../shared/error-words.ts';
import { formatCount, formatInstant } from '../shared/format.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { loadCampaign } from './lib/campaigns.ts';
import { currentFlow, flowHref } from './lib/flow.ts';
import { byId, el, startPage } from './lib/page.ts';
import { checkReceipt, drawOf, type Receipt, type ReceiptCheck } from './lib/receipt-check.ts';

const EN: Record<string, string> = {
  title: 'Your place in the public log — Yeyak',
  h1: 'Your place in the public log',
  intro: 'Every place in the queue and every admission goes into a public log that anyone can check. This page checks, in your browser and without trusting the server, that your place is in it. The log holds no name or birth date: only a commitment that you alone can open.',
  'entry.h': 'Your entry in the log',
  'more.h': 'To check further',
  'more.body': 'Save this receipt to check it again at any time. Anyone can download the whole log with a public program and check that the queue was served in order and that everyone was shown the same log:',
  save: 'Save the receipt',
  back: 'Back to the waiting page',
};

const M = {
  ko: {
    noCampaign: '예약 일정이 선택되지 않았습니다.',
    noLog: '이 서비스는 공개 기록을 두지 않습니다.',
    pending: '내 순서가 기록되는 중입니다. 잠시 후 다시 확인합니다.',
    verified: '확인되었습니다: 내 순서가 공개 기록에 들어 있습니다.',
    failed: '확인되지 않았습니다. 이 화면을 저장해 두고 고객센터에 알려 주세요.',
    signed: '운영 기관의 서명이 맞습니다 (공개 키 {key})',
    yours: '기록의 약속값이 내 비밀값으로 열립니다: 내 항목입니다',
    included: '내 항목이 서명된 기록 {size}개 가운데 {n}번째로 들어 있습니다',
    drawIncluded: '사전 대기 추첨({round}회차)도 같은 기록에 들어 있습니다',
    place: '{position}번 순서, {at}에 받음',
    restore: '{position}번 순서. 서버가 기록을 잃은 뒤 {at}에 다시 기록됨 (순서는 그대로)',
    enter: '{round}회차 사전 대기에 {at}에 들어옴. 추첨으로 {base}번 다음 {count}개 순서 가운데 하나가 되었습니다.',
    enterUndrawn: '{round}회차 사전 대기에 {at}에 들어옴 (아직 추첨 전)',
    tree: '기록 {origin}, 크기 {size}',
    signers: '함께 서명한 증인: {names} (이 화면에서는 증인의 키를 확인하지 않습니다)',
    ok: '✓',
    bad: '✗',
  },
  en: {
    noCampaign: 'No campaign was chosen.',
    noLog: 'This service keeps no public log.',
    pending: 'Your place is being written into the log. Checking again in a moment.',
    verified: 'Verified: your place is in the public log.',
    failed: 'Not verified. Please save this page and tell the call centre.',
    signed: 'The log’s signature is valid (public key {key})',
    yours: 'The entry’s commitment opens with your secret: it is yours',
    included: 'Your entry is number {n} of the {size} entries the signature covers',
    drawIncluded: 'The draw of the pre-queue (round {round}) is in the same log',
    place: 'Place {position}, handed out at {at}',
    restore: 'Place {position}, written into the log again at {at} after the server lost its record (the place is unchanged)',
    enter: 'Joined round {round}’s pre-queue at {at}; the draw put it among places {base} + 1 to {base} + {count}.',
    enterUndrawn: 'Joined round {round}’s pre-queue at {at} (not drawn yet)',
    tree: 'Log {origin}, size {size}',
    signers: 'Also signed by the witnesses: {names} (their keys are not checked on this page)',
    ok: '✓',
    bad: '✗',
  },
};

const flow = currentFlow();
const words = () => inLang(M);
let receipt: Receipt | null = null;
let checked: ReceiptCheck | null = null;

function checkLine(ok: boolean, text: string): HTMLLIElement {
  const item = el('li');
  item.append(el('strong', ok ? words().ok : words().bad, ok ? 'ok' : 'bad'), ` ${text}`);
  return item;
}

function entryWords(c: ReceiptCheck, r: Receipt): string {
  const w = words();
  const at = c.atMs === null ? '–' : formatInstant(new Date(c.atMs).toISOString());
  if (c.kind === 'place' || c.kind === 'restore') return fill(c.kind === 'place' ? w.place : w.restore, { position: formatCount(c.position ?? 0), at });
  const draw = drawOf(r);
  return draw ? fill(w.enter, { round: String(c.round), at, base: formatCount(draw.base), count: formatCount(draw.count) }) : fill(w.enterUndrawn, { round: String(c.round), at });
}

function draw(): void {
  const c = checked;
  const r = receipt;
  if (!c || !r) return;
  const w = words();
  const verified = c.signed && c.yours && c.included && c.drawIncluded !== false;
  const verdict = byId('verdict');
  verdict.textContent = verified ? w.verified : w.failed;
  verdict.className = verified ? 'good' : 'alert';
  const checks = [
    checkLine(c.signed, fill(w.signed, { key: c.keyName })),
    checkLine(c.yours, w.yours),
    checkLine(c.included, fill(w.included, { n: formatCount(c.leafIndex + 1), size: formatCount(c.size) })),
  ];
  if (c.drawIncluded !== null) checks.push(checkLine(c.drawIncluded, fill(w.drawIncluded, { round: String(c.round) })));
  byId('checks').replaceChildren(...checks);
  byId('entry-words').textContent = entryWords(c, r);
  byId('entry-line').textContent = c.entry;
  byId('tree').textContent = fill(w.tree, { origin: c.origin, size: formatCount(c.size) });
  byId('signers').textContent = c.otherSigners.length > 0 ? fill(w.signers, { names: c.otherSigners.join(', ') }) : '';
  byId('result').hidden = false;
}

async function logKey(): Promise<string | null> {
  const response = await fetch('/api/v1/log/key');
  return response.ok ? (await response.text()).trim() : null;
}

/** The receipt, once the log holds the place (425 until the sequencer has stored it, usually within a second). */
async function fetchReceipt(base: string): Promise<Receipt> {
  for (;;) {
    try {
      const answer = await api<Receipt>('GET', `${base}/queue/tickets/me/proof`);
      byId('pending').hidden = true;
      return answer;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 425) throw error;
      byId('pending').textContent = words().pending;
      byId('pending').hidden = false;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, error.retryAfterSeconds ?? 1) * 1000));
    }
  }
}

/** A plain statement in the error box (nothing failed: there is nothing to check). */
function say(text: string): void {
  byId('error').replaceChildren(el('p', text));
  byId('error').hidden = false;
}

async function start(): Promise<void> {
  const campaignId = flow.campaignId;
  if (!campaignId) return say(words().noCampaign);
  byId<HTMLAnchorElement>('back').href = flowHref('/waiting.html');
  const base = `/api/v1/campaigns/${encodeURIComponent(campaignId)}`;
  const campaign = await loadCampaign(campaignId);
  byId('campaign-name').textContent = campaign.name;
  const key = await logKey();
  if (key === null) return say(words().noLog);
  try {
    receipt = await fetchReceipt(base);
  } catch (error) {
    // No ticket for this campaign on this device: the waiting page finds the place again (signing in if need be).
    if (error instanceof ApiError && error.status === 401) location.replace(flowHref('/waiting.html'));
    throw error;
  }
  checked = await checkReceipt(key, receipt);
  byId('audit-command').textContent = `npm run audit -- --url ${location.origin} --campaign ${campaignId}`;
  const saved = new Blob([JSON.stringify({ campaign: campaignId, key, ...receipt }, null, 2)], { type: 'application/json' });
  byId<HTMLAnchorElement>('save').href = URL.createObjectURL(saved);
  draw();
}

startPage(EN, draw);
start()
  .catch((error: unknown) => showError(byId('error'), error))
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
