import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/**
 * HTTP from a chosen loopback source address. Linux answers on all of 127.0.0.0/8, so each
 * simulated client can really come from its own address: the balancer sees it as the peer, as it
 * would see a citizen's phone — nothing is forged unless a test forges it.
 */

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface CallOptions {
  /** The source address (127.x.y.z); 127.0.0.1 when absent. */
  from?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const agents = new Map<string, Agent>();

function agentFrom(address: string): Agent {
  let agent = agents.get(address);
  if (!agent) agents.set(address, (agent = new Agent({ keepAlive: true, maxSockets: 64, localAddress: address } as ConstructorParameters<typeof Agent>[0])));
  return agent;
}

/** The n-th distinct client address, 127.<block>.x.y (n < 65,000). */
export const clientAddress = (block: number, n: number) => `127.${block}.${Math.floor(n / 250)}.${1 + (n % 250)}`;

export function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, base);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: agentFrom(options.from ?? '127.0.0.1'), timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like `call`, failing with the answer on any other status than `expected`. */
export async function ok<T = Record<string, unknown>>(base: string, method: string, path: string, options: CallOptions = {}, expected = [200, 201]): Promise<T> {
  const answer = await call(base, method, path, options);
  if (!expected.includes(answer.status)) throw new Error(`${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
