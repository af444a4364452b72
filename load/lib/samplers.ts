/**
 * What the load run watches once a second while the crowd runs: each process's CPU and memory
 * (from /proc: the apps, the load workers, this orchestrator; PostgreSQL's processes in scale-out),
 * the whole machine's CPU, and the shared status document (queue length, servingUpTo, measured
 * admission rate) as a citizen sees it.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { machineCpu, processCpuSeconds } from '../../bench/lib/cpu.ts';

export interface ProcessFigures {
  label: string;
  pid: number;
  /** Average cores used over the sampled span. */
  cores: number | null;
  cpuSeconds: number | null;
  peakRssMb: number | null;
}

function rssMb(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export class ProcessSampler {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly peak = new Map<number, number>();
  private readonly labels = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private stoppedAt = 0;
  private machineStart = machineCpu();
  private machineEnd = this.machineStart;

  watch(pid: number, label: string): void {
    this.labels.set(pid, label);
    this.sampleOne(pid);
  }

  start(): void {
    this.startedAt = performance.now();
    this.machineStart = machineCpu();
    this.timer = setInterval(() => {
      for (const pid of this.labels.keys()) this.sampleOne(pid);
      this.machineEnd = machineCpu();
    }, 1000);
  }

  private sampleOne(pid: number): void {
    const cpu = processCpuSeconds(pid);
    if (cpu !== null) {
      if (!this.first.has(pid)) this.first.set(pid, cpu);
      this.last.set(pid, cpu);
    }
    const rss = rssMb(pid);
    if (rss !== null) this.peak.set(pid, Math.max(this.peak.get(pid) ?? 0, rss));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const pid of this.labels.keys()) this.sampleOne(pid);
    this.machineEnd = machineCpu();
    this.stoppedAt = performance.now();
  }

  figures(): { processes: ProcessFigures[]; machineBusyCores: number | null; seconds: number } {
    const seconds = (this.stoppedAt - this.startedAt) / 1000;
    const processes = [...this.labels.entries()].map(([pid, label]) => {
      const first = this.first.get(pid);
      const last = this.last.get(pid);
      const cpuSeconds = first !== undefined && last !== undefined ? last - first : null;
      return { label, pid, cpuSeconds, cores: cpuSeconds !== null && seconds > 0 ? cpuSeconds / seconds : null, peakRssMb: this.peak.get(pid) ?? null };
    });
    const machineBusyCores = this.machineStart && this.machineEnd && seconds > 0 ? (this.machineEnd.busy - this.machineStart.busy) / seconds : null;
    return { processes, machineBusyCores, seconds };
  }
}

export interface StatusPoint {
  secondsFromOpening: number;
  queueLength: number;
  servingUpTo: number;
  issuedUpTo: number;
  admitRate: number;
  /** The pace the estimate divides by (places passed per second), null before one is measured. */
  etaRate: number | null;
  state: string;
}

/**
 * Reads one path of the app once a second over its own keep-alive connection (one more client;
 * node:cluster keeps the connection on one app process) and keeps what `record` makes of each 200.
 */
export abstract class OncePerSecondSampler<T> {
  readonly points: T[] = [];
  private readonly pool: Pool;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    origin: string,
    private readonly path: string,
    private readonly openingMs: number,
  ) {
    this.pool = new Pool(origin, { connections: 1 });
  }

  start(): void {
    this.timer = setInterval(() => void this.sample().catch(() => {}), 1000);
  }

  /** One sample from a 200's body, `secondsFromOpening` into the night. */
  protected abstract record(body: string, secondsFromOpening: number): T;

  private async sample(): Promise<void> {
    const { statusCode, body } = await this.pool.request({ path: this.path, method: 'GET' });
    const text = await body.text();
    if (statusCode === 200) this.points.push(this.record(text, (Date.now() - this.openingMs) / 1000));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pool.close();
  }
}

/** Polls the shared status document once a second (one more client, like any citizen). */
export class StatusSampler extends OncePerSecondSampler<StatusPoint> {
  constructor(origin: string, campaignId: string, openingMs: number) {
    super(origin, `/api/v1/campaigns/${campaignId}/queue`, openingMs);
  }

  protected record(text: string, secondsFromOpening: number): StatusPoint {
    const s = JSON.parse(text) as { state: string; servingUpTo: number; issuedUpTo: number; prequeueSize: number; admitRatePerSecond: number; etaRatePerSecond?: number | null };
    return {
      secondsFromOpening,
      queueLength: Math.max(0, s.issuedUpTo - s.servingUpTo) + s.prequeueSize,
      servingUpTo: s.servingUpTo,
      issuedUpTo: s.issuedUpTo,
      admitRate: s.admitRatePerSecond,
      etaRate: s.etaRatePerSecond ?? null,
      state: s.state,
    };
  }
}
