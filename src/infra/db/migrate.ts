import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Db } from './database.ts';
import * as foundation from '../../../migrations/0001-foundation.ts';
import * as identity from '../../../migrations/0002-identity.ts';
import * as queueJournal from '../../../migrations/0003-queue-journal.ts';
import * as outboxDelivery from '../../../migrations/0010-outbox-delivery.ts';
import * as clinicsAndLeftovers from '../../../migrations/0011-clinics-and-leftovers.ts';
import * as queueRounds from '../../../migrations/0012-queue-rounds.ts';
import * as bookingInOneStatement from '../../../migrations/0013-booking-in-one-statement.ts';
import * as outboxPruning from '../../../migrations/0014-outbox-pruning.ts';
import * as capacityFillfactor from '../../../migrations/0015-capacity-fillfactor.ts';
import * as bookingWithoutParentLocks from '../../../migrations/0016-booking-without-parent-locks.ts';
import * as clinicDaysByDate from '../../../migrations/0017-clinic-days-by-date.ts';
import * as fewerBookingIndexEntries from '../../../migrations/0018-fewer-booking-index-entries.ts';
import * as syntheticProbe from '../../../migrations/0019-synthetic-probe.ts';
import * as bookingWritesWhatItMust from '../../../migrations/0020-booking-writes-what-it-must.ts';
import * as personsRecordedOnFirstNeed from '../../../migrations/0021-persons-recorded-on-first-need.ts';
import * as queueLog from '../../../migrations/0022-queue-log.ts';
import * as queueLogSequencer from '../../../migrations/0023-queue-log-sequencer.ts';
import * as queueLogCosignatures from '../../../migrations/0024-queue-log-cosignatures.ts';
import * as oneDoseLedger from '../../../migrations/0025-one-dose-ledger.ts';
import * as queueLogBundles from '../../../migrations/0026-queue-log-bundles.ts';
import * as queueAbandonedPlaces from '../../../migrations/0027-queue-abandoned-places.ts';
import * as idempotentBookingAnswer from '../../../migrations/0028-idempotent-booking-answer.ts';
import * as bookingsFoundByState from '../../../migrations/0029-bookings-found-by-state.ts';
import * as bookingKeepsItsKey from '../../../migrations/0030-booking-keeps-its-key.ts';
import * as outboxPayloadAsText from '../../../migrations/0031-outbox-payload-as-text.ts';
import * as dataKeys from '../../../migrations/0032-data-keys.ts';
import * as outboxEventsLeaveAtFanOut from '../../../migrations/0033-outbox-events-leave-at-fan-out.ts';
import * as outboxJobsPayloadAsText from '../../../migrations/0034-outbox-jobs-payload-as-text.ts';
import * as queuePlacesByWrite from '../../../migrations/0035-queue-places-by-write.ts';
import * as outboxJobsWithoutEventIndex from '../../../migrations/0036-outbox-jobs-without-event-index.ts';

/** Every migration, in order. Listed statically so bundling and tests need no directory scan. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-identity': identity,
  '0003-queue-journal': queueJournal,
  '0010-outbox-delivery': outboxDelivery,
  '0011-clinics-and-leftovers': clinicsAndLeftovers,
  '0012-queue-rounds': queueRounds,
  '0013-booking-in-one-statement': bookingInOneStatement,
  '0014-outbox-pruning': outboxPruning,
  '0015-capacity-fillfactor': capacityFillfactor,
  '0016-booking-without-parent-locks': bookingWithoutParentLocks,
  '0017-clinic-days-by-date': clinicDaysByDate,
  '0018-fewer-booking-index-entries': fewerBookingIndexEntries,
  '0019-synthetic-probe': syntheticProbe,
  '0020-booking-writes-what-it-must': bookingWritesWhatItMust,
  '0021-persons-recorded-on-first-need': personsRecordedOnFirstNeed,
  '0022-queue-log': queueLog,
  '0023-queue-log-sequencer': queueLogSequencer,
  '0024-queue-log-cosignatures': queueLogCosignatures,
  '0025-one-dose-ledger': oneDoseLedger,
  '0026-queue-log-bundles': queueLogBundles,
  '0027-queue-abandoned-places': queueAbandonedPlaces,
  '0028-idempotent-booking-answer': idempotentBookingAnswer,
  '0029-bookings-found-by-state': bookingsFoundByState,
  '0030-booking-keeps-its-key': bookingKeepsItsKey,
  '0031-outbox-payload-as-text': outboxPayloadAsText,
  '0032-data-keys': dataKeys,
  '0033-outbox-events-leave-at-fan-out': outboxEventsLeaveAtFanOut,
  '0034-outbox-jobs-payload-as-text': outboxJobsPayloadAsText,
  '0035-queue-places-by-write': queuePlacesByWrite,
  '0036-outbox-jobs-without-event-index': outboxJobsWithoutEventIndex,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Applies pending migrations; throws with the failing migration's error. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}
