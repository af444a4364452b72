import type { FastifyInstance } from 'fastify';

/**
 * Which credential each route needs, in openapi.json. API.md has three bearer credentials that are
 * never interchangeable (session, ticket, admission) and the staff's; OpenAPI sees them as four
 * bearer schemes. A route's `onRequest` gate says which one it checks (`documentedAs`), or a
 * route that checks in its handler names it in its schema (`security: credential('ticket')`).
 */
export type CredentialKind = 'session' | 'ticket' | 'admission' | 'operator';

export const SECURITY_SCHEMES: Record<CredentialKind, { type: 'http'; scheme: 'bearer'; description: string }> = {
  session: { type: 'http', scheme: 'bearer', description: 'A verified person (POST /api/v1/identity/…); browsers: the yeyak_session cookie.' },
  ticket: { type: 'http', scheme: 'bearer', description: "A place in one campaign's queue (POST …/queue/tickets); browsers: the yeyak_ticket cookie." },
  admission: { type: 'http', scheme: 'bearer', description: 'The right to book in one campaign for a limited time (POST …/admissions); browsers: the yeyak_admission cookie.' },
  operator: { type: 'http', scheme: 'bearer', description: 'Staff: the operator key (automation) or a token from POST /api/v1/admin/login, with a role; the console: the yeyak_operator cookie.' },
};

const KIND = Symbol('credential');
type Tagged = { [KIND]?: CredentialKind };

/** Marks a gate (an `onRequest` hook) as checking `kind`, for openapi.json. */
export function documentedAs<T extends object>(kind: CredentialKind, gate: T): T {
  (gate as Tagged)[KIND] = kind;
  return gate;
}

/** A schema's `security` for a route that checks `kind` itself. */
export const credential = (kind: CredentialKind) => [{ [kind]: [] as string[] }];

/** Fills each route's `security` from its gate; call before any route is registered. */
export function documentCredentials(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.security) return;
    const gates = [route.onRequest].flat() as (Tagged | undefined)[];
    const kind = gates.map((gate) => gate?.[KIND]).find((k) => k !== undefined);
    if (kind) route.schema = { ...route.schema, security: credential(kind) };
  });
}
