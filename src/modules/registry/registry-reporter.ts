import type { Ctx } from '../../context.ts';
import { type OutboxConsumer, type OutboxJob, PermanentDeliveryError } from '../outbox/index.ts';
import { RegistryRejectedError, type RegistryClient } from './registry-client.ts';
import { bookingFacts, type BookingFacts } from './registry.repository.ts';

/**
 * The registry's outbox consumer: each event becomes one `POST /v1/events` under the job's
 * idempotency key, so a retry after a timeout or a crash is acknowledged, never recorded twice.
 * Person keys (keyed hashes) are the only identifiers sent; no name or phone leaves Yeyak here.
 */
export function registryReporter(ctx: Pick<Ctx, 'db'>, client: RegistryClient): OutboxConsumer<Map<string, BookingFacts>> {
  return {
    name: 'registry',
    // The legacy registry serves few requests at once; more would only be refused.
    concurrency: 4,
    available: () => client.available(),
    probing: () => client.probing(),
    // The bookings a batch's events tell of, read in one statement for the batch.
    prepare: (jobs) => bookingFacts(ctx.db, jobs.filter((j) => j.topic.startsWith('booking.')).map((j) => j.aggregateId)),
    async deliver(job, bookings) {
      const event = registryEvent(job, bookings);
      try {
        await client.postEvent(job.idempotencyKey, event);
      } catch (error) {
        if (error instanceof RegistryRejectedError) throw new PermanentDeliveryError(error.message);
        throw error;
      }
    },
  };
}

function registryEvent(job: OutboxJob, bookings: Map<string, BookingFacts>): Record<string, unknown> {
  const p = job.payload;
  if (job.topic.startsWith('booking.')) {
    const facts = bookings.get(job.aggregateId);
    if (!facts) throw new PermanentDeliveryError(`booking ${job.aggregateId} not found`);
    const doses = Array.isArray(p.doses) ? (p.doses as { dose: number; institutionId: string; date: string; minute: number }[]).map((d) => ({ dose: d.dose, clinicId: d.institutionId, date: d.date, minute: d.minute })) : undefined;
    return { type: job.topic, bookingId: job.aggregateId, personKey: facts.personKey, campaignId: facts.campaignId, vaccine: facts.vaccine, ...(doses ? { doses } : {}), at: job.createdAt.toISOString() };
  }
  // Clinic events carry what the registry needs in their payload (written by the clinic service).
  return { type: job.topic, ...p, at: job.createdAt.toISOString() };
}
