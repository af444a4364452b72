import { Type, type Static } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/**
 * The shared status document (API.md `GET …/queue`), identical for everyone: the TypeScript type
 * the waiting room builds, and the schema `openapi.json` shows clients.
 */
export const QueueStatusSchema = Type.Object({
  state: Type.Union([Type.Literal('scheduled'), Type.Literal('prequeue'), Type.Literal('open'), Type.Literal('paused'), Type.Literal('closed')]),
  servingUpTo: Type.Integer({ description: 'Everyone at or before this place may be admitted.' }),
  issuedUpTo: Type.Integer({ description: 'Places handed out so far.' }),
  admitRatePerSecond: Type.Number({ description: 'Measured, smoothed admission rate (dashboards).' }),
  admitRateDeviation: Type.Number({ description: 'Spread of the measured rate.' }),
  etaRatePerSecond: Nullable(
    Type.Number({
      description:
        'The pace the wait estimate divides by (domain/eta.ts waitFor): places passed per second over the last minute the queue was moving; until that has settled (and while it is unsteady), the rate the queue is set to admit at, with a wider deviation. Null before the opening, while paused with nothing measured yet, and while sold out.',
    }),
  ),
  etaRateDeviation: Type.Number({ description: 'Spread of that pace between 5 s slices of the minute, or the set rate’s allowance before it is measured (the p90 widens with it).' }),
  prequeueSize: Type.Integer({ description: 'People in the pre-queue of a round not opened yet.' }),
  pausedReason: Nullable(Type.String()),
  opensAt: Type.String({ description: 'The queue’s first opening (round 0), RFC 3339 in Asia/Seoul.' }),
  nextOpensAt: Nullable(Type.String({ description: 'The next opening still ahead (a later round’s pre-queue is placed then); null after the last.' })),
  remainingDoses: Nullable(
    Type.Integer({ description: 'Doses not booked yet from the first bookable date on, as this node last read them (every ~2 s); null until first known.' }),
  ),
  soldOut: Type.Boolean({
    description:
      'Every dose loaded is booked: the queue holds (no one new admitted, every place kept, admissions already issued keep working) and moves again by itself once doses come back; etaRatePerSecond is null meanwhile.',
  }),
  updatedAt: Type.String(),
});

export type QueueStatus = Static<typeof QueueStatusSchema>;
