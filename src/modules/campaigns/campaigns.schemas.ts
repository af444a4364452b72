import { Type, type Static } from 'typebox';
import { DateString, Id, Instant } from '../../http/schemas.ts';

const WindowBody = Type.Object(
  {
    id: Id,
    kind: Type.Optional(Type.Union([Type.Literal('rotation'), Type.Literal('catchup'), Type.Literal('open')])),
    opensAt: Instant,
    closesAt: Instant,
    birthDayDigits: Type.Union([Type.Array(Type.Integer({ minimum: 0, maximum: 9 }), { minItems: 1, maxItems: 10, uniqueItems: true }), Type.Null()]),
    bornFrom: Type.Optional(Type.Union([DateString, Type.Null()])),
    bornTo: Type.Optional(Type.Union([DateString, Type.Null()])),
  },
  { additionalProperties: false },
);

export const AdmissionBody = Type.Object(
  {
    mode: Type.Union([Type.Literal('adaptive'), Type.Literal('fixed')]),
    ratePerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
    maxActive: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
  },
  { additionalProperties: false },
);

export const CampaignBody = Type.Object(
  {
    id: Type.Optional(Id),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    cohort: Type.Object({ bornFrom: DateString, bornTo: DateString }, { additionalProperties: false }),
    vaccine: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100 }),
        doses: Type.Integer({ minimum: 1, maximum: 4 }),
        intervalDays: Type.Integer({ minimum: 0, maximum: 365 }),
      },
      { additionalProperties: false },
    ),
    queueOpensAt: Instant,
    windows: Type.Array(WindowBody, { minItems: 1, maxItems: 200 }),
    proxyAllowed: Type.Boolean(),
    admission: Type.Optional(AdmissionBody),
    synthetic: Type.Optional(
      Type.Boolean({ description: "The probe's own campaign: hidden from the public, joined only by synthetic persons, its bookings never reported or messaged. Set at creation; it never changes." }),
    ),
  },
  { additionalProperties: false },
);
export type CampaignBody = Static<typeof CampaignBody>;

export const CampaignView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  cohort: Type.Object({ bornFrom: Type.String(), bornTo: Type.String() }),
  vaccine: Type.Object({ name: Type.String(), doses: Type.Integer(), intervalDays: Type.Integer() }),
  queueOpensAt: Type.String(),
  windows: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      opensAt: Type.String(),
      closesAt: Type.String(),
      birthDayDigits: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
      bornFrom: Type.Union([Type.String(), Type.Null()]),
      bornTo: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  proxyAllowed: Type.Boolean(),
});
