/** One answer from the service: status, the parsed JSON body (or null), and the error code if any. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  code: string | null;
  retryAfterSeconds: number | null;
}

/** A step that could not be done: which step, why (a short, bounded reason for a metric label). */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
    detail: string,
  ) {
    super(`${step}: ${reason} (${detail})`);
  }
}

/**
 * The public API as the probe calls it: JSON over `fetch`, every call bounded by `deadlineMs` (a
 * hung server is a failure of that step, never a stuck probe).
 */
export class ProbeClient {
  constructor(readonly target: string) {}

  async call<T>(step: string, method: 'GET' | 'POST', path: string, options: { credential?: string; body?: unknown; headers?: Record<string, string>; deadlineMs: number }): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.credential) headers.authorization = `Bearer ${options.credential}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path, this.target), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(options.deadlineMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new StepFailure(step, timedOut ? 'deadline' : 'network', error instanceof Error ? error.message : String(error));
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new StepFailure(step, 'deadline', error instanceof Error ? error.message : String(error));
    }
    let body: unknown;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
    const retryAfter = Number(response.headers.get('retry-after'));
    return { status: response.status, body: body as T, code: typeof code === 'string' ? code : null, retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null };
  }

  /** The call, which must answer one of `statuses`, else the step fails with the status (and code) as its reason. */
  async expect<T>(step: string, statuses: number[], method: 'GET' | 'POST', path: string, options: { credential?: string; body?: unknown; headers?: Record<string, string>; deadlineMs: number }): Promise<Answer<T>> {
    const answer = await this.call<T>(step, method, path, options);
    if (!statuses.includes(answer.status)) throw new StepFailure(step, `http_${answer.status}`, answer.code ?? `expected ${statuses.join(' or ')}`);
    return answer;
  }
}
