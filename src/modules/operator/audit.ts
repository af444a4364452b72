import type { Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';

/** Who did something: an operator account, the automation key, the command line, or nobody known. */
export interface AuditActor {
  id: string;
  role: string;
}

export interface AuditEntry {
  /** Dotted verb, e.g. `campaign.created`, `operator.login.failed`, `agent.booking.created`. */
  action: string;
  /** What it was done to: an id, never a name, phone or birth date. */
  target?: string | null;
  /** Small, non-personal facts (counts, ids); never names, phones, birth dates or passwords. */
  details?: Record<string, string | number | boolean | null>;
}

/**
 * Appends one entry to the audit log. Pass the action's transaction where it has one, so the
 * entry commits with the action or not at all. The table refuses UPDATE and DELETE (trigger).
 */
export async function recordAudit(db: Db | Transaction<DB>, at: Date, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ at, actor: actor.id, role: actor.role, action: entry.action, target: entry.target ?? null, details: JSON.stringify(entry.details ?? {}) })
    .execute();
}

/** An audit entry to write inside the action's own transaction: it commits with the action or not at all. */
export type AuditInTransaction = (trx: Transaction<DB>, outcome: Record<string, string | number | boolean | null>, target?: string) => Promise<void>;

/** The `AuditInTransaction` for an actor and action (the outcome's facts become the details). */
export function auditedAs(actor: AuditActor, at: Date, action: string, target?: string): AuditInTransaction {
  return (trx, outcome, known) => recordAudit(trx, at, actor, { action, target: known ?? target ?? null, details: outcome });
}

export interface AuditPage {
  entries: { id: string; at: string; actor: string; role: string; action: string; target: string | null; details: Record<string, unknown> }[];
  nextCursor: string | null;
}

/**
 * Newest first, keyset-paginated on the primary key: the cursor is the last id seen, so a page
 * costs one index range scan however deep it is, and rows appended meanwhile never shift a page.
 */
export async function listAudit(db: Db, cursor: number | null, limit: number): Promise<AuditPage> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit + 1);
  if (cursor !== null) query = query.where('id', '<', cursor);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => ({ id: String(r.id), at: formatSeoul(r.at), actor: r.actor, role: r.role, action: r.action, target: r.target, details: r.details as Record<string, unknown> })),
    nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}
