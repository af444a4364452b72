import type { Clock } from '../../lib/clock.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { CircuitBreaker } from './domain/circuit-breaker.ts';
import { networkReason } from '../../lib/network-reason.ts';

/** The registry could not be reached, timed out, answered 5xx/429, or the circuit is open: try again later. */
class RegistryUnavailableError extends Error {
  override name = 'RegistryUnavailableError';
}

/** The registry refused the request itself (4xx): retrying the same request will not help. */
export class RegistryRejectedError extends Error {
  override name = 'RegistryRejectedError';
}

export interface RegistryClinicRow {
  id: string;
  name: string;
  address: string;
  sido: string;
  sigungu: string;
  lat: number;
  lng: number;
}

export interface RegistryStockRow {
  clinicId: string;
  vaccine: string;
  doses: number;
}

export interface RegistryVaccinationRow {
  seq: number;
  personKey: string;
  vaccine: string;
  dose: number;
  administeredOn: string;
}

/**
 * The HTTP client of the immunization registry (docs/registry-api.md): every call has a timeout,
 * and a circuit breaker stops calling for a while after repeated failures, so an outage costs the
 * workers nothing and never reaches the booking path (which never calls the registry at all).
 */
export class RegistryClient {
  private readonly breaker = new CircuitBreaker(5, 30_000);

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly clock: Clock,
    private readonly metrics?: Metrics,
  ) {}

  /** False while the circuit is open (the workers then claim no registry job). */
  available(): boolean {
    return this.breaker.state(this.clock.now().getTime()) !== 'open';
  }

  /** True while the circuit lets one trial call through (the workers then claim a single job). */
  probing(): boolean {
    return this.breaker.state(this.clock.now().getTime()) === 'half-open';
  }

  async clinics(): Promise<RegistryClinicRow[]> {
    return ((await this.call('GET', '/v1/clinics')) as { clinics: RegistryClinicRow[] }).clinics;
  }

  async stock(): Promise<RegistryStockRow[]> {
    return ((await this.call('GET', '/v1/stock')) as { stock: RegistryStockRow[] }).stock;
  }

  async vaccinations(after: number, limit: number): Promise<{ records: RegistryVaccinationRow[]; last: number }> {
    return (await this.call('GET', `/v1/vaccinations?after=${after}&limit=${limit}`)) as { records: RegistryVaccinationRow[]; last: number };
  }

  /** Reports one event; the idempotency key makes a repeat (after a timeout, a crash) harmless. */
  async postEvent(idempotencyKey: string, event: Record<string, unknown>): Promise<void> {
    await this.call('POST', '/v1/events', event, { 'idempotency-key': idempotencyKey });
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    if (!this.breaker.allow(this.clock.now().getTime())) throw new RegistryUnavailableError('circuit open');
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      this.failed();
      throw new RegistryUnavailableError(`${method} ${path.split('?')[0]}: ${networkReason(error)}`, { cause: error });
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500 || response.status === 429) {
      this.failed();
      throw new RegistryUnavailableError(`${method} ${path.split('?')[0]} answered ${response.status}`);
    }
    // A 4xx is the registry working and refusing: it says nothing about the registry's health.
    this.breaker.succeeded();
    this.metrics?.registryCircuitOpen.set(0);
    if (response.status >= 400) throw new RegistryRejectedError(`${method} ${path.split('?')[0]} answered ${response.status}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new RegistryUnavailableError(`${method} ${path.split('?')[0]}: the answer is not JSON`);
    }
  }

  private failed(): void {
    const now = this.clock.now().getTime();
    this.breaker.failed(now);
    this.metrics?.registryCircuitOpen.set(this.breaker.state(now) === 'closed' ? 0 : 1);
  }
}
