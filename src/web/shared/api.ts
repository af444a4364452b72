/**
 * The browser's one API client, for the citizen site, the operator console and the clinic portal:
 * same-origin JSON (or a CSV upload) with the HttpOnly cookies the API sets (the page never holds a
 * credential), the one error shape, and Retry-After honoured on 429/503 (seconds).
 */

/** An answer that was not 2xx, in the API's error shape (API.md "Conventions"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Seconds, from the Retry-After header of a 425, 429 or 503. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** A network failure (no answer at all) gets this code, so pages explain it like any other. */
export const OFFLINE = 'OFFLINE';

export interface RequestOptions {
  body?: unknown;
  /** A CSV upload (`text/csv`), sent as it is, in place of a JSON body. */
  csv?: string;
  /** The browser cache's part (fetch's `cache`); `no-cache` revalidates, `no-store` never keeps the answer. */
  cache?: RequestCache;
  headers?: Record<string, string>;
  /** 429 and 503 are retried by themselves, after Retry-After (with jitter), this many times. */
  busyRetries?: number;
  /** Told how many seconds remain before each automatic retry (to show "busy, retrying…"). */
  onBusy?: (seconds: number, error: ApiError) => void;
}

function retryAfter(response: Response): number | null {
  const value = response.headers.get('retry-after');
  if (value === null) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

async function once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.csv !== undefined) {
    headers['content-type'] = 'text/csv';
    body = options.csv;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: options.cache ?? 'no-cache' });
  } catch {
    throw new ApiError(0, OFFLINE, 'network');
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (response.ok) return json as T;
  const error = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
  throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.details ?? {}, retryAfter(response));
}

/** Waits `seconds`, telling `onTick` each whole second left (for a visible countdown). */
function countdown(seconds: number, onTick?: (left: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let left = Math.ceil(seconds);
    const tick = () => {
      onTick?.(left);
      if (left <= 0) return resolve();
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  });
}

/** A delay spread by ±20 %, so millions of pages do not retry in the same second. */
export function jittered(seconds: number): number {
  return seconds * (0.8 + Math.random() * 0.4);
}

/** Calls the API; 429/503 are retried by themselves after their Retry-After; other errors throw `ApiError`. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
  const retries = options.busyRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    try {
      return await once<T>(method, path, options);
    } catch (error) {
      const busy = error instanceof ApiError && (error.status === 429 || error.status === 503);
      if (!busy || attempt >= retries) throw error;
      const wait = jittered(Math.max(1, error.retryAfterSeconds ?? 2 ** attempt));
      await countdown(wait, (left) => options.onBusy?.(left, error));
    }
  }
}

/** A key that makes a retried booking request the same request (API.md Idempotency-Key). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
