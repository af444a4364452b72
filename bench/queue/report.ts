/**
 * The markdown report of one bench:queue setup: each path's ratio to the baseline runs around it,
 * the CPU table, the profiles, and the figures for `npm run bench`'s table.
 */
import { renderProfile } from '../lib/cpu-profile.ts';
import { fmt, fmtCores, markdownTable } from '../lib/report.ts';
import type { BenchFigure } from '../lib/summary.ts';
import { ADMISSION, TARGET_JOIN, TARGET_SIGN_IN, TARGET_STATUS } from './config.ts';
import { type Measured, type PathKey } from './measure.ts';
import type { ScenarioResult } from './scenario.ts';
import { renderStatusRounds, statusRoundsFigures } from './status-rounds.ts';

const TARGETS: Partial<Record<PathKey, number>> = { status: TARGET_STATUS, 'sign-in': TARGET_SIGN_IN, 'join-new': TARGET_JOIN, 'join-repeat': TARGET_JOIN };

const isBaseline = (m: Measured) => m.key.startsWith('baseline');

/** Requests/s that count: for new people only the 201s (a 200 there is a repeat), else every answer. */
function rateOf(m: Measured): number {
  if (m.key === 'join-new' && m.wrk.statuses) return (m.wrk.statuses['201'] ?? 0) / m.wrk.seconds;
  return m.wrk.requestsPerSecond;
}

export function renderScenario(r: ScenarioResult): { markdown: string; problems: string[]; warnings: string[]; headline: string[]; figures: BenchFigure[] } {
  const problems = r.measured.flatMap((m) => m.problems);
  const warnings = r.measured.flatMap((m) => m.notes);
  const baselines = r.measured.filter(isBaseline);
  for (let i = 1; i < baselines.length; i++) {
    const [a, b] = [baselines[i - 1]!, baselines[i]!];
    const drift = (b.wrk.requestsPerSecond - a.wrk.requestsPerSecond) / a.wrk.requestsPerSecond;
    if (Math.abs(drift) > 0.25) warnings.push(`the baseline moved ${(drift * 100).toFixed(0)}% from "${a.label}" to "${b.label}": the machine was not steady (see "everything else" in the CPU table); trust the CPU-cost ratios more, or rerun`);
  }
  const server = (m: Measured) => m.cpu?.groups[isBaseline(m) ? 'baseline' : 'app'] ?? null;
  // Server + load generator (+ PostgreSQL + Redis) CPU per request: what a request costs with the machine to itself.
  const costMs = (m: Measured) => {
    const s = server(m);
    const w = m.cpu?.groups.wrk ?? null;
    const extra = Object.entries(m.cpu?.groups ?? {}).filter(([g]) => g === 'postgres' || g === 'redis').reduce((a, [, v]) => a + (v ?? 0), 0);
    return s === null || w === null || !(m.wrk.requestsPerSecond > 0) ? null : ((s + w + extra) * 1000) / m.wrk.requestsPerSecond;
  };
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  /** The baseline runs just before and just after a path: its reference. */
  const neighbours = (m: Measured) => {
    const i = r.measured.indexOf(m);
    const before = r.measured.slice(0, i).reverse().find(isBaseline);
    const after = r.measured.slice(i + 1).find(isBaseline);
    return [before, after].filter((x): x is Measured => x !== undefined);
  };

  const headline: string[] = [];
  const figures: BenchFigure[] = [];
  const rows = r.measured.map((m) => {
    const lat = m.wrk.latency;
    const errors = m.wrk.non2xx3xx + Object.values(m.wrk.socketErrors).reduce((a, b) => a + b, 0);
    const s = server(m);
    const common = [
      lat ? `${lat.p50.toFixed(2)} ms` : 'n/a',
      lat ? `${lat.p99.toFixed(2)} ms` : 'n/a',
      errors === 0 ? '0' : `**${fmt(errors)}**`,
      fmtCores(s),
      fmtCores(m.cpu?.groups.wrk),
      s !== null && m.wrk.requestsPerSecond > 0 ? `${((s * 1e6) / m.wrk.requestsPerSecond).toFixed(0)} µs` : 'n/a',
      m.elu === null || !Number.isFinite(m.elu) ? 'n/a' : `${(m.elu * 100).toFixed(0)}%`,
      m.stallMs === null ? 'n/a' : `${fmt(m.stallMs)} ms`,
    ];
    if (isBaseline(m)) return [m.label, fmt(m.wrk.requestsPerSecond), '–', '–', '–', ...common, '–'];
    const refs = neighbours(m);
    const reference = mean(refs.map((b) => b.wrk.requestsPerSecond))!;
    const ratio = rateOf(m) / reference;
    const target = TARGETS[m.key];
    const cost = costMs(m);
    const refCost = mean(refs.map(costMs).filter((c): c is number => c !== null));
    const costRatio = cost !== null && refCost !== null ? refCost / cost : null;
    figures.push({ setup: r.scenario.name, path: m.label, value: rateOf(m), unit: 'req/s', baseline: reference, baselineLabel: 'bare node:http req/s', ratio, target: target ?? null, costRatio });
    headline.push(
      `${r.scenario.name} ${m.label}: ${fmt(rateOf(m))} req/s = ${ratio.toFixed(2)} of baseline${target === undefined ? '' : ` (target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'})`}` +
        `${costRatio === null ? '' : `; CPU-cost ratio ${costRatio.toFixed(2)}`}`,
    );
    return [
      `**${m.label}**`,
      fmt(rateOf(m)),
      `**${ratio.toFixed(2)}** (of ${fmt(reference)})`,
      target === undefined ? '–' : `≥ ${target}`,
      target === undefined ? '–' : ratio >= target ? 'yes' : '**no**',
      ...common,
      costRatio === null ? 'n/a' : costRatio.toFixed(2),
    ];
  });
  const table = markdownTable(
    ['path', 'req/s', 'ratio to baseline', 'target', 'met?', 'p50', 'p99', 'errors (non-2xx, socket)', 'server CPU (cores)', 'wrk CPU (cores)', 'server CPU per request', 'server event loop busy', 'longest event-loop stall', 'CPU-cost ratio'],
    rows,
  );

  const extraGroups = [...new Set(r.measured.flatMap((m) => Object.keys(m.cpu?.groups ?? {})))].filter((g) => g === 'postgres' || g === 'redis');
  const cpuRows = r.measured.map((m) => {
    const c = m.cpu;
    if (!c) return [m.label, 'n/a', 'n/a', 'n/a', ...extraGroups.map(() => 'n/a'), 'n/a', 'n/a'];
    const known = (server(m) ?? 0) + (c.groups.wrk ?? 0) + (c.groups.bench ?? 0) + extraGroups.reduce((a, g) => a + (c.groups[g] ?? 0), 0);
    const other = c.machineBusyCores === null ? null : c.machineBusyCores - known;
    return [
      m.label,
      `${fmtCores(c.machineBusyCores)} of ${fmtCores(c.machineCores)}`,
      fmtCores(server(m)),
      fmtCores(c.groups.wrk),
      ...extraGroups.map((g) => fmtCores(c.groups[g])),
      fmtCores(other),
      c.others.slice(0, 3).map((o) => `${m.otherNames[o.pid] ?? o.comm} ${o.cores.toFixed(2)}`).join(', ') || '–',
    ];
  });
  const cpuTable = markdownTable(['path', 'machine busy', 'server (app or bare)', 'wrk', ...extraGroups.map((g) => (g === 'postgres' ? 'PostgreSQL' : 'Redis')), 'everything else', 'busiest others'], cpuRows);

  const statusLines = r.measured
    .filter((m) => m.wrk.statuses)
    .map((m) => `- ${m.label}: ${Object.entries(m.wrk.statuses!).map(([s, n]) => `${s} × ${fmt(n)}`).join(', ')}${m.key === 'join-new' && m.wrk.scriptValues.wraps ? ` (**${m.wrk.scriptValues.wraps} wrap-arounds: sessions repeated**)` : ''}${m.wrk.scriptValues.tokens === undefined ? '' : `; ${fmt(m.wrk.scriptValues.tokens)} tokens loaded`}`);

  const profileLines = r.measured.flatMap((m) => (m.profile ? renderProfile(m.label, m.profile) : []));
  const rounds = r.statusRounds ? renderStatusRounds(r.statusRounds) : null;
  if (r.statusRounds && rounds) {
    const { status } = statusRoundsFigures(r.statusRounds);
    problems.push(...rounds.problems);
    figures.push({ setup: r.scenario.name, path: 'status, side by side', value: status.ratio, unit: 'of bare (median of rounds)', baseline: 1, baselineLabel: 'bare node:http, the same rounds', ratio: status.ratio, target: TARGET_STATUS, costRatio: status.costRatio, digits: 2 });
    headline.push(`${r.scenario.name} status, side by side: ${status.ratio.toFixed(2)} of baseline, CPU-cost ratio ${status.costRatio.toFixed(2)} (medians of ${r.statusRounds.rounds.length} rounds; target ≥ ${TARGET_STATUS}: ${status.ratio >= TARGET_STATUS ? 'met' : 'NOT met'})`);
  }

  const md = [
    `## ${r.scenario.title}`,
    '',
    `Baseline: bare \`node:http\` in its own process, a ${r.statusBytes}-byte JSON body (the status document's size), measured before, between and after the app's paths; each path's ratio is to the mean of the baseline runs just before and just after it (shown in brackets).`,
    '',
    table,
    '',
    ...r.measured.filter((m) => !m.key.startsWith('baseline')).map((m) => `- **${m.label}**: ${m.request}; ${m.wrk.seconds.toFixed(1)} s, ${fmt(m.wrk.requests)} requests.`),
    `- Campaign \`${r.campaignId}\` created through \`POST /api/v1/admin/campaigns\`: one open window now, admission \`${JSON.stringify(ADMISSION)}\`.`,
    `- Sessions: ${fmt(r.sessions.warmup)} (join warm-up) + ${fmt(r.sessions.timed)} (timed join) distinct people through \`POST /api/v1/identity/dev\` at ${fmt(r.sessions.perSecond)}/s (${r.sessions.seconds.toFixed(1)} s). ${r.joinPlan.join('; ')}.`,
    ...(r.tickets ? [`- Admission tickets: ${fmt(r.tickets.count)} people re-joined for their tickets (places up to ${fmt(r.tickets.maxPosition)}, servingUpTo ${fmt(r.tickets.servingUpTo)} when the run started); each admitted on its first request, re-admitted (same admission, new token) on the next rounds.`] : []),
    '',
    ...(rounds?.markdown ?? []),
    '### Status codes (tallied by bench/wrk/tokens.lua)',
    '',
    ...statusLines,
    '',
    '### CPU (average cores in use, seconds 1 to T−1 of each timed run)',
    '',
    cpuTable,
    '',
    ...(profileLines.length > 0 ? ['### CPU profiles of the app (V8 sampling profiler, 500 µs; it slows the app a little)', '', ...profileLines] : []),
  ].join('\n');
  return { markdown: md, problems, warnings, headline, figures };
}
