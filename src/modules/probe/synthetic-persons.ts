import type { FastifyReply } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { type SessionStarting, type SignedIn, startSession } from '../identity/index.ts';
import { type AuditActor, recordAudit } from '../operator/index.ts';
import { syntheticPersonKeyOf } from './probe-credential.ts';
import { findSyntheticPerson, upsertSyntheticPersons } from './synthetic-persons.repository.ts';

/** A synthetic person as an operator names it. */
export interface SyntheticIdentity {
  label: string;
  birthDate: string;
}

/**
 * Registers the probe's synthetic persons (flagged `synthetic` in the database), audited in the same
 * transaction. They hold no name or phone, are eligible for the probe's own campaigns only, and sign
 * in only with the probe credential.
 */
export async function registerSyntheticPersons(ctx: Pick<Ctx, 'clock' | 'config' | 'db'>, actor: AuditActor, identities: SyntheticIdentity[]): Promise<number> {
  const pepper = ctx.config.secrets.personPepper;
  const rows = identities.map((i) => ({ personKey: syntheticPersonKeyOf(pepper, i.label), label: i.label, birthDate: i.birthDate }));
  return inTransaction(ctx.db, async (trx) => {
    const registered = await upsertSyntheticPersons(trx, rows);
    await recordAudit(trx, ctx.clock.now(), actor, { action: 'probe.identities.registered', details: { count: rows.length } });
    return registered;
  });
}

/**
 * The probe's sign-in (its credential already checked): a session for the registered synthetic
 * person of this label, sealed as synthetic, through the same session start as every provider's.
 * Any other label — a citizen cannot be named — is 403.
 */
export async function signInSynthetic(ctx: SessionStarting, reply: FastifyReply, label: string): Promise<SignedIn> {
  const person = await findSyntheticPerson(ctx.db, syntheticPersonKeyOf(ctx.config.secrets.personPepper, label));
  if (!person) throw new YeyakError('YEYAK_ERR_NOT_SYNTHETIC');
  return startSession(ctx, reply, person);
}
