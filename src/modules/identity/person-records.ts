import type { Ctx } from '../../context.ts';
import { isDataRefused } from '../../infra/db/database-errors.ts';
import { BatchedCalls } from '../../lib/batched-calls.ts';
import { contactHashOf } from './person-key.ts';
import type { PersonRecord, SealedIdentity, VerifiedPersonRow } from './person.ts';
import { findMaskedNames, findPerson, recordVerifiedPersonQuery, recordVerifiedPersons } from './persons.repository.ts';

/**
 * The record Yeyak holds of a person (someone acting for them, a guardian's dependent, a booking's
 * holder); undefined for a key never recorded: a person who has only signed in may have no record
 * yet (`recordOnFirstNeed`).
 */
export function recordedPerson(ctx: Pick<Ctx, 'db'>, personKey: string): Promise<PersonRecord | undefined> {
  return findPerson(ctx.db, personKey);
}

/**
 * The part of another module's statement that writes a person's record in the same round trip and
 * transaction (the booking's `create_booking` statement: a person who has only signed in is
 * recorded with their first booking, or not at all). Null records nobody; the text is the same
 * either way, so the statement stays prepared. The SQL stays identity's.
 */
export function personRecordStatementPart(row: VerifiedPersonRow | null) {
  return recordVerifiedPersonQuery(row);
}

/** The masked names of the recorded persons among these keys, by key, in one read (a list of bookings across a family). */
export function maskedNamesOf(ctx: Pick<Ctx, 'db'>, personKeys: readonly string[]): Promise<Map<string, string>> {
  return findMaskedNames(ctx.db, personKeys);
}

/** The record a verified identity makes: the phone envelope-encrypted, the contact hash for the priority lists (the full name is not kept). */
function verifiedRow(ctx: Pick<Ctx, 'config' | 'crypto'>, person: Pick<PersonRecord, 'personKey' | 'birthDate' | 'maskedName'>, identity: SealedIdentity): VerifiedPersonRow {
  const { personKey, birthDate, maskedName } = person;
  return {
    personKey,
    birthDate,
    maskedName,
    phoneEnc: ctx.crypto.encrypt(identity.phone, `persons.phone:${personKey}`),
    contactHash: contactHashOf(ctx.config.secrets.personPepper, identity.name, birthDate, identity.phone),
    verifiedAt: identity.verifiedAt,
  };
}

/** The record of a person known from their session's seal, for a statement that writes it itself (a booking); null for one read from their record. */
export function sealedRow(ctx: Pick<Ctx, 'config' | 'crypto'>, person: PersonRecord): VerifiedPersonRow | null {
  return person.sealed ? verifiedRow(ctx, person, person.sealed) : null;
}

/** The contact hash of a person known from their session's seal (no record needed to match a priority list). */
export function sealedContactHash(ctx: Pick<Ctx, 'config'>, person: PersonRecord): string | undefined {
  return person.sealed && contactHashOf(ctx.config.secrets.personPepper, person.sealed.name, person.birthDate, person.sealed.phone);
}

/** The most records one batch writes: its statement stays a few milliseconds. */
const MAX_BATCH = 500;

const batchesByCtx = new WeakMap<Pick<Ctx, 'db'>, BatchedCalls<VerifiedPersonRow, null>>();

/**
 * A node's person records, written in batches: one statement for every record asked for while the
 * previous batch ran (unchanged ones write nothing). Each caller is answered once its batch has
 * committed; a value the database refuses (a NUL in a name) fails that record only.
 */
function personRecords(ctx: Pick<Ctx, 'db'>): BatchedCalls<VerifiedPersonRow, null> {
  let batches = batchesByCtx.get(ctx);
  if (!batches) {
    batches = new BatchedCalls(
      async (rows: VerifiedPersonRow[]) => {
        await recordVerifiedPersons(ctx.db, rows);
        return rows.map(() => null);
      },
      { maxBatch: MAX_BATCH, retryAlone: isDataRefused },
    );
    batchesByCtx.set(ctx, batches);
  }
  return batches;
}

/** Records a verified person: a call-centre agent's, a dependent's, or one first needed (`recordOnFirstNeed`). */
async function recordVerifiedPerson(ctx: Pick<Ctx, 'db'>, row: VerifiedPersonRow): Promise<void> {
  await personRecords(ctx).call(row);
}

/**
 * Records the person known from their session's seal before what needs their record: a dependent
 * they register, a leftover booking or alert, their language. Signing in records nothing (a
 * person who only waits in line leaves no record); a person read from their record has one.
 */
export async function recordOnFirstNeed(ctx: Pick<Ctx, 'config' | 'crypto' | 'db'>, person: PersonRecord): Promise<void> {
  const row = sealedRow(ctx, person);
  if (row) await recordVerifiedPerson(ctx, row);
}
