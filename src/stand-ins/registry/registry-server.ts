import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { behaviourGate, DEFAULT_BEHAVIOUR, patchBehaviour, readJson, sendJson, type Behaviour } from '../http-behaviour.ts';
import { eventProblem, RegistryState, type RegistryClinic, type RegistryStock } from './registry-state.ts';

export interface RegistryStandIn {
  port: number;
  url: string;
  state: RegistryState;
  behaviour: Behaviour;
  close(): Promise<void>;
}

export interface RegistryStandInOptions {
  port?: number;
  host?: string;
  behaviour?: Partial<Behaviour>;
  clinics?: RegistryClinic[];
}

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The national immunization registry stand-in (docs/registry-api.md): a plain node:http server, as
 * slow and unreliable as configured. `/v1/…` is the registry's API, behind the misbehaviour gate;
 * `/_admin/…` controls and inspects the stand-in and always answers at once.
 */
export async function startRegistryStandIn(options: RegistryStandInOptions = {}): Promise<RegistryStandIn> {
  const state = new RegistryState();
  for (const clinic of options.clinics ?? []) state.clinics.set(clinic.id, clinic);
  const behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const gate = behaviourGate(behaviour);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry');
    if (url.pathname.startsWith('/_admin/')) return admin(req, res, url);
    const pass = await gate.admit(res);
    if (!pass) return;
    try {
      await registryApi(req, res, url);
    } finally {
      pass.release();
    }
  }

  async function registryApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /v1/clinics') return sendJson(res, 200, { clinics: [...state.clinics.values()] });
    if (route === 'GET /v1/stock') return sendJson(res, 200, { stock: [...state.stock.values()] });
    if (route === 'GET /v1/vaccinations') {
      const after = Number(url.searchParams.get('after') ?? '0');
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? '500'));
      if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) return sendJson(res, 400, { error: 'BAD_CURSOR' });
      const records = state.vaccinations.slice(after, after + limit);
      return sendJson(res, 200, { records, last: records.length > 0 ? records[records.length - 1]!.seq : after });
    }
    if (route === 'POST /v1/events') {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !KEY.test(key)) return sendJson(res, 400, { error: 'IDEMPOTENCY_KEY_REQUIRED' });
      const body = await readJson(req);
      if (typeof body !== 'object' || body === null) return sendJson(res, 400, { error: 'BAD_JSON' });
      const { type, ...fields } = body as Record<string, unknown>;
      const problem = eventProblem(type, fields);
      if (problem) return sendJson(res, 422, { error: 'BAD_EVENT', problem });
      const { created, event } = state.accept(key, type as string, fields, new Date());
      if (Math.random() < behaviour.ackLossRate) return sendJson(res, 500, { error: 'INTERNAL' });
      return sendJson(res, created ? 201 : 200, { receipt: event.key, receivedAt: event.receivedAt });
    }
    return sendJson(res, 404, { error: 'NOT_FOUND' });
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /_admin/health') return sendJson(res, 200, { ok: true, inFlight: gate.inFlight(), behaviour });
    if (route === 'GET /_admin/events') {
      const type = url.searchParams.get('type');
      const events = [...state.events.values()].filter((e) => !type || e.type === type);
      return sendJson(res, 200, { ...state.counts(), items: events });
    }
    const body = await readJson(req);
    if (route === 'POST /_admin/behaviour') {
      const problem = patchBehaviour(behaviour, body);
      return problem ? sendJson(res, 400, { error: problem }) : sendJson(res, 200, behaviour);
    }
    if (route === 'POST /_admin/clinics' && Array.isArray(body)) {
      for (const clinic of body as RegistryClinic[]) state.clinics.set(clinic.id, clinic);
      return sendJson(res, 200, { clinics: state.clinics.size });
    }
    if (route === 'POST /_admin/stock' && Array.isArray(body)) {
      for (const s of body as Omit<RegistryStock, 'updatedAt'>[]) state.stock.set(`${s.clinicId}|${s.vaccine}`, { ...s, updatedAt: new Date().toISOString() });
      return sendJson(res, 200, { stock: state.stock.size });
    }
    if (route === 'POST /_admin/vaccinations' && Array.isArray(body)) {
      for (const v of body as { personKey: string; vaccine: string; dose: number; administeredOn: string }[]) state.addVaccination(v);
      return sendJson(res, 200, { vaccinations: state.vaccinations.length });
    }
    return sendJson(res, 404, { error: 'NOT_FOUND' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    state,
    behaviour,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
