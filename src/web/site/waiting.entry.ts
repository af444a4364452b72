// The waiting page: a static page whose script keeps the person's place honestly. The place is the
// signed position the API gives this person (the same on every device and after a reload); how
// far the queue has moved comes from the one shared status document, polled with jittered back-off.
// The page never reloads itself.
import { waitFor } from '../../modules/waiting-room/domain/eta.ts';
import { api, ApiError, jittered } from '../shared/api.ts';
import { showError } from '../shared/error-words.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { formatCount, formatDuration, formatInstant } from '../shared/format.ts';
import { serverNow, syncServerTime } from '../shared/server-time.ts';
import { loadCampaign, type CampaignInfo } from './lib/campaigns.ts';
import { currentFlow, flowHref, signInHref } from './lib/flow.ts';
import { LEAVE_EN, setUpLeave } from './lib/leave-queue.ts';
import { byId, el, startPage } from './lib/page.ts';
import { alertWanted, announceTurn, setAlertWanted } from './lib/turn-alert.ts';
import { WAITING_EN, WAITING_WORDS } from './lib/waiting-words.ts';

/** The shared status document (API.md), the same for everyone. */
interface QueueStatus {
  state: 'scheduled' | 'prequeue' | 'open' | 'paused' | 'closed';
  servingUpTo: number;
  issuedUpTo: number;
  admitRatePerSecond: number;
  admitRateDeviation?: number;
  /** The pace the estimate divides by; null while measured (absent from an older server: no estimate). */
  etaRatePerSecond?: number | null;
  etaRateDeviation?: number;
  pausedReason?: string | null;
  opensAt: string;
  /** The next opening still ahead: a later round's pre-queue (a rotation's next day) is placed then. */
  nextOpensAt?: string | null;
  /** Every dose is booked: the queue holds, places are kept, no wait is promised (absent from an older server). */
  soldOut?: boolean;
  remainingDoses?: number | null;
  updatedAt: string;
}

const flow = currentFlow();
const words = () => inLang(WAITING_WORDS);
const base = flow.campaignId ? `/api/v1/campaigns/${encodeURIComponent(flow.campaignId)}` : '';

let campaign: CampaignInfo | null = null;
let position: number | null = null;
let status: QueueStatus | null = null;
let queueOpensAt: string | null = null;
/** The `nextOpensAt` of the status when this person last asked for their place (asked again after each opening). */
let askedAtOpening: string | null | undefined;
let admission: { expiresAt: string } | null = null;
let failures = 0;
let lastSpoken = 0;
let lastSpokenAhead: number | null = null;
/** The next poll, cancelled when the person leaves the queue. */
let pollTimer: ReturnType<typeof setTimeout> | null = null;

/** Where the progress bar starts: servingUpTo when this person first saw the queue (kept across reloads). */
const baselineKey = `yeyak.wait.${flow.campaignId ?? ''}.${flow.dependentId ?? ''}`;
function baseline(): number | null {
  const saved = sessionStorage.getItem(baselineKey);
  const [pos, serving] = (saved ?? '').split(':').map(Number);
  return saved && pos === position && Number.isFinite(serving) ? (serving as number) : null;
}

/** People ahead and the ETA, by the server's own function (`waitFor`) from the shared status. */
function figures(): ReturnType<typeof waitFor> | null {
  return status === null ? null : waitFor(position, { servingUpTo: status.servingUpTo, etaRatePerSecond: status.etaRatePerSecond ?? null, etaRateDeviation: status.etaRateDeviation ?? 0 });
}

function ahead(): number | null {
  return figures()?.ahead ?? null;
}

function secondsUntil(iso: string): number {
  return Math.max(0, Math.ceil((new Date(iso).getTime() - serverNow()) / 1000));
}

function etaText(): string {
  const w = words();
  const f = figures();
  if (f === null || f.ahead === null) return '–';
  if (f.ahead === 0) return w.now;
  if (status?.soldOut) return w.soldOutEta;
  const { eta } = f;
  if (eta.p50Seconds === null || eta.p90Seconds === null) return w.measuring;
  const [p50, p90] = [formatDuration(eta.p50Seconds), formatDuration(eta.p90Seconds)];
  return p50 === p90 ? fill(w.etaAbout, { p50 }) : fill(w.etaRange, { p50, p90 });
}

/** In a later round's pre-queue: the queue is open, this person's place is drawn at the next opening. */
function waitingForLaterRound(): boolean {
  return position === null && !!status?.nextOpensAt && (status.state === 'open' || status.state === 'paused');
}

function stateText(): string {
  const w = words();
  if (queueOpensAt && !status) return fill(w.scheduled, { at: formatInstant(queueOpensAt), left: formatDuration(secondsUntil(queueOpensAt)) });
  if (!status) return '';
  if (status.state === 'prequeue' || (status.state === 'scheduled' && position === null)) return fill(w.prequeue, { at: formatInstant(status.opensAt), left: formatDuration(secondsUntil(status.opensAt)) });
  if (waitingForLaterRound() && status.nextOpensAt) return fill(w.prequeue, { at: formatInstant(status.nextOpensAt), left: formatDuration(secondsUntil(status.nextOpensAt)) });
  if (status.state === 'paused') return status.pausedReason ? `${w.paused} ${fill(w.pausedReason, { reason: status.pausedReason })}` : w.paused;
  if (status.state === 'closed') return w.closed;
  return status.soldOut ? w.soldOut : w.open;
}

function draw(): void {
  const w = words();
  if (campaign) byId('campaign-name').textContent = [campaign.name, flow.dependentId ? w.forDependent : null, flow.changeBookingId ? w.forChange : null].filter(Boolean).join(' · ');
  byId('state').textContent = stateText();
  byId('position').textContent = position === null ? '–' : formatCount(position);
  const n = ahead();
  byId('ahead').textContent = n === null ? '–' : formatCount(n);
  byId('eta').textContent = etaText();
  // Leaving is for a numbered place (a pre-queue's is drawn at the opening).
  byId('leave-box').hidden = position === null;
  // Only for someone still waiting: a person already reached is admitted as usual.
  byId('sold-out').hidden = !(status?.soldOut && (ahead() ?? 1) > 0);
  const bar = byId<HTMLProgressElement>('progress');
  const start = baseline();
  if (position !== null && status && start !== null) {
    const total = Math.max(0, position - start);
    const done = Math.min(total, Math.max(0, status.servingUpTo - start));
    bar.max = Math.max(1, total);
    bar.value = total === 0 ? 1 : done;
    byId('progress-text').textContent = fill(w.progress, { done: formatCount(done), total: formatCount(total) });
  }
  byId('updated').textContent = status ? fill(w.updated, { at: formatInstant(status.updatedAt) }) : '';
  if (admission) byId('turn-until').textContent = fill(w.until, { at: formatInstant(admission.expiresAt) });
}

/** Screen readers hear the figures when they change meaningfully, at most every 30 s (and at once for the turn). */
function speak(): void {
  const n = ahead();
  if (n === null || admission) return;
  const now = Date.now();
  const moved = lastSpokenAhead === null || n <= lastSpokenAhead * 0.9 || n === 0;
  if (!moved || now - lastSpoken < 30_000) return;
  lastSpoken = now;
  lastSpokenAhead = n;
  byId('live').textContent = fill(words().live, { ahead: formatCount(n), eta: etaText() });
}

function showIneligible(error: ApiError): void {
  const w = words();
  const reason = String(error.details.reason ?? '');
  const win = error.details.window as { opensAt: string; closesAt: string } | null | undefined;
  const box = byId('ineligible');
  const text = w.reasons[reason];
  box.replaceChildren(el('p', text ? fill(text, { window: win ? `${formatInstant(win.opensAt)} ~ ${formatInstant(win.closesAt)}` : '' }) : w.reasons.CAMPAIGN_CLOSED ?? ''));
  const home = el('a', reason === 'ALREADY_BOOKED' ? w.myBookings : w.home);
  home.href = reason === 'ALREADY_BOOKED' ? '/bookings/' : '/';
  box.append(home);
  box.hidden = false;
  byId('queue').hidden = true;
}

/** Takes (or finds again) this person's place: the API answers every device of theirs with the same one. */
async function join(): Promise<boolean> {
  try {
    const joined = await api<{ position: number | null; state: string }>('POST', `${base}/queue/tickets`, { body: flow.dependentId ? { dependentId: flow.dependentId } : undefined });
    position = joined.position;
    queueOpensAt = null;
    byId('queue').hidden = false;
    void showLogLink();
    return true;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) location.replace(signInHref());
    else if (error.code === 'YEYAK_ERR_NOT_ELIGIBLE') showIneligible(error);
    else if (error.code === 'YEYAK_ERR_NOT_ADMITTED_YET' && typeof error.details.queueOpensAt === 'string') {
      // The queue has not opened: count down to it, then join by ourselves.
      queueOpensAt = error.details.queueOpensAt;
      byId('queue').hidden = false;
      draw();
      setTimeout(() => void joinAndPoll(), jittered(Math.max(1, error.retryAfterSeconds ?? secondsUntil(queueOpensAt))) * 1000);
    } else throw error;
    return false;
  }
}

/** Where the deployment keeps a public queue log, a link to check this place in it (the receipt page). */
async function showLogLink(): Promise<void> {
  const key = await fetch('/api/v1/log/key').catch(() => null);
  if (!key?.ok) return;
  byId<HTMLAnchorElement>('in-log-link').href = flowHref('/receipt/');
  byId('in-log').hidden = false;
}

/** A pre-queue place is drawn at the opening: ask for it once the queue is open. */
async function learnPosition(): Promise<void> {
  const me = await api<{ position: number | null }>('GET', `${base}/queue/tickets/me`);
  position = me.position;
}

async function admit(): Promise<void> {
  try {
    admission = await api<{ admission: string; expiresAt: string }>('POST', `${base}/admissions`);
  } catch (error) {
    // 425: the queue has not quite reached us on this node yet; the next poll tries again.
    if (error instanceof ApiError && error.status === 425) return;
    throw error;
  }
  sessionStorage.removeItem(baselineKey);
  byId('queue').hidden = true;
  byId('turn').hidden = false;
  byId<HTMLAnchorElement>('turn-go').href = flowHref('/clinics/');
  byId('live').textContent = words().liveTurn;
  document.title = `▶ ${words().notifyTitle}`;
  announceTurn(words().notifyTitle, words().notifyBody);
  byId('turn-go').focus();
}

/** Seconds until the next poll: sooner as the turn nears, later while nothing can change; always jittered. */
function nextDelay(): number {
  if (failures > 0) return jittered(Math.min(30, 2 ** failures));
  if (!status || status.state === 'prequeue' || waitingForLaterRound()) return jittered(5);
  // Nothing moves until doses come back (a cancellation, new capacity): no need to ask often.
  if (status.state === 'paused' || status.state === 'closed' || status.soldOut) return jittered(10);
  const f = figures();
  // No place yet (learnt at the next poll) counts as near; no estimate yet as far.
  const etaSeconds = f === null || f.ahead === null ? 0 : (f.eta.p50Seconds ?? Infinity);
  return jittered(etaSeconds < 10 ? 1 : etaSeconds < 120 ? 2 : 5);
}

async function poll(): Promise<void> {
  let retryAfter: number | null = null;
  try {
    status = await api<QueueStatus>('GET', `${base}/queue`, { busyRetries: 0 });
    failures = 0;
    byId('error').hidden = true;
    // A pre-queue place is drawn at an opening: ask once, then again only after the next opening.
    if (position === null && (status.state === 'open' || status.state === 'paused') && askedAtOpening !== (status.nextOpensAt ?? null)) {
      const opening = status.nextOpensAt ?? null;
      await learnPosition();
      askedAtOpening = opening;
    }
    if (position !== null && baseline() === null) sessionStorage.setItem(baselineKey, `${position}:${status.servingUpTo}`);
    if (position !== null && status.state === 'open' && position <= status.servingUpTo) await admit();
  } catch (error) {
    failures += 1;
    if (error instanceof ApiError) retryAfter = error.retryAfterSeconds;
    // Shown, never fatal: the place is kept and the page keeps trying.
    showError(byId('error'), error);
  }
  draw();
  speak();
  if (admission || status?.state === 'closed') return;
  const delay = Math.max(nextDelay(), retryAfter === null ? 0 : jittered(retryAfter));
  pollTimer = setTimeout(() => void poll(), delay * 1000);
}

async function start(): Promise<void> {
  if (!flow.campaignId) {
    byId('ineligible').replaceChildren(el('p', words().noCampaign));
    byId('ineligible').hidden = false;
    return;
  }
  await syncServerTime().catch(() => {});
  campaign = await loadCampaign(flow.campaignId);
  draw();
  await joinAndPoll();
}

/** Joins, then polls; a failure to join (network, a store down) is shown and retried with back-off. */
async function joinAndPoll(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (await join()) await poll();
      return;
    } catch (error) {
      showError(byId('error'), error);
      await new Promise((resolve) => setTimeout(resolve, jittered(Math.min(30, 2 ** attempt)) * 1000));
    }
  }
}

startPage({ ...WAITING_EN, ...LEAVE_EN }, draw);
// Leaving stops the polls; joining again starts afresh, at the back.
setUpLeave(base, () => position, () => pollTimer && clearTimeout(pollTimer), () => {
  [position, status, askedAtOpening] = [null, null, undefined];
  void joinAndPoll();
});
const alertBox = byId<HTMLInputElement>('alert-me');
alertBox.checked = alertWanted();
alertBox.addEventListener('change', () => void setAlertWanted(alertBox.checked));
// Countdowns tick every second between polls (display only: the server decides every instant).
setInterval(() => {
  if (queueOpensAt || status?.state === 'prequeue' || waitingForLaterRound()) byId('state').textContent = stateText();
}, 1000);
start()
  .catch((error: unknown) => showError(byId('error'), error))
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
