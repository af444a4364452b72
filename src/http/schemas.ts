import { CSV_UPLOAD } from './openapi-document.ts';
import { Type } from 'typebox';

/** Schemas shared by several modules' routes. */

export const DateString = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Seoul)' });
export const TimeString = Type.String({ pattern: '^([01]\\d|2[0-3]):(00|30)$', description: 'HH:MM, a half-hour slot' });
export const Instant = Type.String({ format: 'date-time', description: 'RFC 3339 with offset' });
export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

const NullableSeconds = Type.Union([Type.Number(), Type.Null()]);

/** A 425 from `POST …/admissions`: API.md's `{ahead, eta}` beside the error (and in its details). */
export const NotAdmittedYetBody = Type.Object({
  ahead: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'places ahead of the person; null in the pre-queue' })),
  eta: Type.Optional(Type.Object({ p50Seconds: NullableSeconds, p90Seconds: NullableSeconds })),
  error: ErrorBody.properties.error,
});

/** Response schemas for the error statuses a route can answer. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

/**
 * The body of an upload that takes a JSON array or a CSV file (`text/csv`, read as a string): the
 * handler tells them apart. openapi.json shows the two media types (`openapi-document.ts`).
 */
export function jsonOrCsvBody(maxItems: number, description: string) {
  return Type.Union([Type.Array(Type.Unknown(), { maxItems }), Type.String()], { description, [CSV_UPLOAD]: true });
}
