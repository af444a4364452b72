import type { Ctx } from '../../context.ts';
import { seoulDate, timeFromMinutes } from '../../lib/seoul-time.ts';
import { enqueueDerivedJobs, type OutboxConsumer, type OutboxJob, PermanentDeliveryError } from '../outbox/index.ts';
import { renderMessage, scheduleLine, type TemplateName } from './domain/templates.ts';
import { MessageRejectedError } from './http-message-gateway.ts';
import { type BookingForMessage, bookingsForMessages, clinicNames, enqueueRemindersFor, leftoverSubscribers, type Recipient, recipientsOf } from './notifications.repository.ts';

/** A message to render and send, or nothing to send (the event no longer calls for one). */
type Planned = { recipientKey: string; template: TemplateName; params: (r: Recipient) => Record<string, string> } | null;

/** What a claimed batch of message jobs reads from the database: three statements for the batch, not three a job. */
interface MessageFacts {
  bookings: Map<string, BookingForMessage>;
  recipients: Map<string, Recipient>;
  clinics: Map<string, string>;
}

/**
 * The messages' outbox consumer: confirmation, change and cancellation notices, day-before
 * reminders and leftover notices, rendered in the person's language. The phone is decrypted here,
 * at send time, and goes only to the gateway; the gateway deduplicates by the job's idempotency
 * key, so a retry or a crash after the send never texts anyone twice.
 */
export function messageSender(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db' | 'messages'>): OutboxConsumer<MessageFacts> {
  return {
    name: 'messages',
    concurrency: 8,
    prepare: (jobs) => readMessageFacts(ctx.db, jobs),
    async deliver(job, facts) {
      if (job.topic === 'leftover.published') return fanOutLeftoverAlerts(ctx, job);
      const planned = plan(job, facts);
      if (!planned) return;
      const recipient = facts.recipients.get(planned.recipientKey);
      if (!recipient?.phoneEnc) return; // nobody to text (no phone on record): nothing to retry
      const to = await ctx.crypto.decryptStored(recipient.phoneEnc, `persons.phone:${recipient.personKey}`);
      const params = planned.params(recipient);
      try {
        await ctx.messages.send({
          to,
          template: planned.template,
          params,
          text: renderMessage(planned.template, recipient.locale, params),
          channel: ctx.config.messages.channel,
          idempotencyKey: job.idempotencyKey,
        });
      } catch (error) {
        if (error instanceof MessageRejectedError) throw new PermanentDeliveryError(error.message);
        throw error;
      }
    },
  };
}

/** Messages about a booking go to whoever booked it: the guardian for a dependent, else the person. */
function bookerOf(booking: { personKey: string; bookedBy: string | null }): string {
  return booking.bookedBy?.startsWith('guardian:') ? booking.bookedBy.slice('guardian:'.length) : booking.personKey;
}

const LEFTOVER_TOPICS = new Set(['leftover.booked', 'leftover.alert']);

/** The bookings, clinics and recipients a batch's messages name: bookings and clinics together, then their recipients. */
async function readMessageFacts(db: Ctx['db'], jobs: readonly OutboxJob[]): Promise<MessageFacts> {
  const leftoverJobs = jobs.filter((j) => LEFTOVER_TOPICS.has(j.topic));
  const [bookings, clinics] = await Promise.all([
    bookingsForMessages(db, jobs.filter((j) => j.topic.startsWith('booking.')).map((j) => j.aggregateId)),
    clinicNames(db, leftoverJobs.map((j) => String(j.payload.clinicId))),
  ]);
  const recipients = await recipientsOf(db, [...[...bookings.values()].map(bookerOf), ...leftoverJobs.map((j) => String(j.payload.personKey))]);
  return { bookings, recipients, clinics };
}

function plan(job: OutboxJob, facts: MessageFacts): Planned {
  const p = job.payload;
  switch (job.topic) {
    case 'booking.created':
    case 'booking.changed':
    case 'booking.cancelled': {
      const booking = facts.bookings.get(job.aggregateId);
      if (!booking) throw new PermanentDeliveryError(`booking ${job.aggregateId} not found`);
      // The doses as the event announced them (a later change has its own message).
      const announced = Array.isArray(p.doses) ? (p.doses as { dose: number; date: string; minute: number }[]) : booking.doses;
      const clinic = booking.doses[0]?.clinic ?? '';
      return {
        recipientKey: bookerOf(booking),
        template: job.topic,
        params: (r) => ({
          name: r.maskedName,
          code: booking.code,
          schedule: scheduleLine(r.locale, clinic, announced.map((d) => ({ dose: d.dose, date: d.date, time: timeFromMinutes(d.minute) }))),
        }),
      };
    }
    case 'booking.reminder': {
      const booking = facts.bookings.get(job.aggregateId);
      const dose = booking?.doses.find((d) => d.dose === p.dose);
      // Cancelled or moved since the reminder was scheduled: the reminder has nothing left to say.
      if (!booking || booking.status !== 'booked' || !dose || dose.date !== p.date) return null;
      return {
        recipientKey: bookerOf(booking),
        template: 'reminder',
        params: (r) => ({ name: r.maskedName, code: booking.code, date: dose.date, time: timeFromMinutes(dose.minute), clinic: dose.clinic, dose: String(dose.dose) }),
      };
    }
    case 'leftover.booked': {
      const clinic = facts.clinics.get(String(p.clinicId)) ?? '';
      return { recipientKey: String(p.personKey), template: 'leftover.booked', params: (r) => ({ name: r.maskedName, clinic, date: String(p.date) }) };
    }
    case 'leftover.alert': {
      const clinic = facts.clinics.get(String(p.clinicId)) ?? '';
      return { recipientKey: String(p.personKey), template: 'leftover.alert', params: () => ({ clinic, doses: String(p.doses) }) };
    }
    default:
      throw new PermanentDeliveryError(`no message for topic ${job.topic}`);
  }
}

/** A clinic published leftovers: one alert job per subscriber, keyed by the publication, so each is sent once. */
async function fanOutLeftoverAlerts(ctx: Pick<Ctx, 'clock' | 'db'>, job: OutboxJob): Promise<void> {
  const clinicId = String(job.payload.clinicId);
  const subscribers = await leftoverSubscribers(ctx.db, clinicId);
  await enqueueDerivedJobs(
    ctx.db,
    subscribers.map((personKey) => ({
      consumer: 'messages' as const,
      idempotencyKey: `${job.idempotencyKey}:alert:${personKey}`,
      topic: 'leftover.alert',
      aggregateId: `alert:${personKey}`,
      payload: { personKey, clinicId, doses: job.payload.doses, offerId: job.payload.offerId },
    })),
    ctx.clock.now(),
  );
}

/**
 * The reminder scheduler, run on each worker round: from 09:00 Seoul on, every live dose of
 * tomorrow gets its reminder job (at most every 10 minutes of the injected clock; each job once).
 */
export function reminderScheduler(ctx: Pick<Ctx, 'clock' | 'db'>, everyMs = 10 * 60_000): () => Promise<number> {
  let lastRunAt = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = ctx.clock.now();
    const seoulHour = (now.getUTCHours() + 9) % 24;
    if (seoulHour < 9 || now.getTime() - lastRunAt < everyMs) return 0;
    lastRunAt = now.getTime();
    return enqueueRemindersFor(ctx.db, seoulDate(now), now);
  };
}
