import { Type } from 'typebox';
import { DateString, Id, TimeString } from '../../http/schemas.ts';

export const SlotChoiceBody = Type.Object({ institutionId: Id, date: DateString, time: TimeString }, { additionalProperties: false });

export const BookingView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  status: Type.String(),
  campaignId: Type.String(),
  personMaskedName: Type.String(),
  doses: Type.Array(Type.Object({ dose: Type.Integer(), institutionId: Type.String(), date: Type.String(), time: Type.String() })),
});

export const BookingEnvelope = Type.Object({ booking: BookingView });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' })),
});
