import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { behaviourGate, DEFAULT_BEHAVIOUR, patchBehaviour, readJson, sendJson, type Behaviour } from '../http-behaviour.ts';

/** A message as the gateway accepted it (the stand-in plays the telecom operator: it holds phones and texts). */
interface AcceptedMessage {
  key: string;
  to: string;
  channel: 'kakao' | 'sms';
  template: string;
  text: string;
  acceptedAt: string;
}

export interface MessageGatewayStandIn {
  port: number;
  url: string;
  behaviour: Behaviour;
  /** Accepted messages by idempotency key: one per key, however often it was posted. */
  messages: Map<string, AcceptedMessage>;
  /** Every POST that got a 2xx, repeats included. */
  posts(): number;
  close(): Promise<void>;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The SMS/KakaoTalk gateway stand-in (docs/message-gateway-api.md): `POST /v1/messages` with an
 * `Idempotency-Key` sends once per key (201, then 200 for a repeat); latency, failures and outages
 * as configured. `/_admin/…` reads what was sent and changes the behaviour.
 */
export async function startMessageGatewayStandIn(options: { port?: number; behaviour?: Partial<Behaviour> } = {}): Promise<MessageGatewayStandIn> {
  const behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, latencyMs: [20, 200], concurrency: 64, ...options.behaviour };
  const gate = behaviourGate(behaviour);
  const messages = new Map<string, AcceptedMessage>();
  let posts = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /_admin/messages') {
      const to = url.searchParams.get('to')?.replace(/\D/g, '');
      const list = [...messages.values()].filter((m) => !to || m.to.replace(/\D/g, '') === to);
      return sendJson(res, 200, { count: messages.size, posts, messages: list });
    }
    if (route === 'POST /_admin/behaviour') {
      const problem = patchBehaviour(behaviour, await readJson(req));
      return problem ? sendJson(res, 400, { error: problem }) : sendJson(res, 200, behaviour);
    }
    if (route !== 'POST /v1/messages') return sendJson(res, 404, { error: 'NOT_FOUND' });
    const pass = await gate.admit(res);
    if (!pass) return;
    try {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !KEY.test(key)) return sendJson(res, 400, { error: 'IDEMPOTENCY_KEY_REQUIRED' });
      const body = (await readJson(req)) as Partial<AcceptedMessage> | null;
      if (!body || typeof body.to !== 'string' || !/^\+?[\d-]{9,16}$/.test(body.to) || typeof body.text !== 'string' || body.text.length === 0) {
        return sendJson(res, 422, { error: 'BAD_MESSAGE' });
      }
      posts++;
      const known = messages.get(key);
      if (known) return sendJson(res, 200, { id: known.key, duplicate: true });
      const message: AcceptedMessage = { key, to: body.to, channel: body.channel === 'sms' ? 'sms' : 'kakao', template: String(body.template ?? ''), text: body.text, acceptedAt: new Date().toISOString() };
      messages.set(key, message);
      if (Math.random() < behaviour.ackLossRate) return sendJson(res, 500, { error: 'INTERNAL' });
      return sendJson(res, 201, { id: key, duplicate: false });
    } finally {
      pass.release();
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    behaviour,
    messages,
    posts: () => posts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
