/**
 * The one table of every error Yeyak answers with. docs/errors.md is kept in sync with it by a
 * test (test/docs-errors.test.ts). Domain code throws `YeyakError`s by code; one error handler
 * maps them to HTTP.
 */
export const ERRORS = {
  YEYAK_ERR_VALIDATION: { status: 400, message: 'The request is not valid.' },
  YEYAK_ERR_MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  YEYAK_ERR_CSV_INVALID: { status: 400, message: 'The CSV upload has rows that are not valid; nothing was imported.' },
  YEYAK_ERR_CAMPAIGN_INVALID: { status: 400, message: 'The campaign definition is not valid.' },
  YEYAK_ERR_UNAUTHENTICATED: { status: 401, message: 'A valid session is required.' },
  YEYAK_ERR_ADMISSION_REQUIRED: { status: 401, message: 'A valid admission from the waiting room is required; join the queue first.' },
  YEYAK_ERR_OTP_INVALID: { status: 401, message: 'That code is not right; check the message and try again.' },
  YEYAK_ERR_OTP_EXPIRED: { status: 401, message: 'That code has expired or was already used; ask for a new one.' },
  YEYAK_ERR_OPERATOR_UNAUTHENTICATED: { status: 401, message: 'A valid operator credential is required.' },
  YEYAK_ERR_PROBE_UNAUTHENTICATED: { status: 401, message: 'A valid probe credential is required.' },
  YEYAK_ERR_OPERATOR_LOGIN_FAILED: { status: 401, message: 'Unknown username or wrong password.' },
  YEYAK_ERR_OIDC_LOGIN_INVALID: { status: 401, message: 'No valid sign-in is in progress in this browser; start again.' },
  YEYAK_ERR_OIDC_STATE_MISMATCH: { status: 401, message: "The identity provider's answer does not belong to the sign-in started in this browser; start again." },
  YEYAK_ERR_OIDC_NONCE_MISMATCH: { status: 401, message: "The identity provider's token does not belong to this sign-in; start again." },
  YEYAK_ERR_OIDC_CODE_REJECTED: { status: 401, message: 'The identity provider refused the sign-in code (already used or not valid); start again.' },
  YEYAK_ERR_OIDC_EXPIRED: { status: 401, message: 'The sign-in took too long and has expired; start again.' },
  YEYAK_ERR_OIDC_DENIED: { status: 401, message: 'The sign-in was cancelled or refused at the identity provider.' },
  YEYAK_ERR_OIDC_CLAIMS_MISSING: { status: 401, message: 'The identity provider did not give the name, birth date and phone number needed to verify you.' },
  YEYAK_ERR_LEFTOVER_BARRED: { status: 403, message: 'You missed a booked appointment without cancelling, so you cannot book leftover doses.' },
  YEYAK_ERR_FORBIDDEN: { status: 403, message: 'This credential may not do that.' },
  YEYAK_ERR_NOT_SYNTHETIC: { status: 403, message: 'The probe credential signs in only the synthetic persons an operator registered.' },
  YEYAK_ERR_ADMISSION_MISMATCH: { status: 403, message: 'This admission belongs to another person or campaign.' },
  YEYAK_ERR_NOT_ELIGIBLE: { status: 403, message: 'You may not book in this campaign now.' },
  YEYAK_ERR_PROXY_NOT_ALLOWED: { status: 403, message: 'This campaign does not allow booking for someone else.' },
  YEYAK_ERR_SELF_SERVICE_CLOSED: { status: 403, message: 'Changes and cancellations close 2 days before the appointment.' },
  YEYAK_ERR_NOT_FOUND: { status: 404, message: 'No such resource.' },
  YEYAK_ERR_CAMPAIGN_NOT_FOUND: { status: 404, message: 'No such campaign.' },
  YEYAK_ERR_INSTITUTION_NOT_FOUND: { status: 404, message: 'No such institution in this campaign.' },
  YEYAK_ERR_BOOKING_NOT_FOUND: { status: 404, message: 'No such booking.' },
  YEYAK_ERR_PERSON_NOT_FOUND: { status: 404, message: 'No such person; record them through the agent identity call first.' },
  YEYAK_ERR_DEPENDENT_NOT_FOUND: { status: 404, message: 'No such dependent of yours.' },
  YEYAK_ERR_DEV_IDENTITY_DISABLED: { status: 404, message: 'The development identity provider is disabled.' },
  YEYAK_ERR_PROBE_DISABLED: { status: 404, message: 'No probe credential is configured (YEYAK_PROBE_KEY).' },
  YEYAK_ERR_OIDC_PROVIDER_UNKNOWN: { status: 404, message: 'No such identity provider.' },
  YEYAK_ERR_APPOINTMENT_NOT_FOUND: { status: 404, message: 'No such appointment at your clinic.' },
  YEYAK_ERR_LEFTOVER_NOT_FOUND: { status: 404, message: 'No such leftover dose offer today.' },
  YEYAK_ERR_OUTBOX_JOB_NOT_FOUND: { status: 404, message: 'No such dead letter.' },
  YEYAK_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed.' },
  YEYAK_ERR_SOLD_OUT: { status: 409, message: 'That time has no dose left; choose another.' },
  YEYAK_ERR_ALREADY_BOOKED: { status: 409, message: 'You already have a booking in this campaign.' },
  YEYAK_ERR_OUTSIDE_WINDOW: { status: 409, message: 'That date or time cannot be booked in your window.' },
  YEYAK_ERR_BOOKING_NOT_ACTIVE: { status: 409, message: 'The booking is already cancelled.' },
  YEYAK_ERR_CAMPAIGN_EXISTS: { status: 409, message: 'A campaign with this id already exists.' },
  YEYAK_ERR_CAMPAIGN_EDIT_REFUSED: { status: 409, message: 'That part of the campaign can no longer change: people have already acted on it.' },
  YEYAK_ERR_OPERATOR_EXISTS: { status: 409, message: 'An operator account with this username already exists.' },
  YEYAK_ERR_CAPACITY_BELOW_BOOKED: { status: 409, message: 'Capacity cannot go below the doses already booked.' },
  YEYAK_ERR_DEPENDENT_LIMIT: { status: 409, message: 'You have registered as many dependents as allowed.' },
  YEYAK_ERR_CONFLICT_RETRY: { status: 409, message: 'The request conflicted with another; try again.' },
  YEYAK_ERR_LEFTOVER_SOLD_OUT: { status: 409, message: 'Sold out: every leftover dose at this clinic is taken.' },
  YEYAK_ERR_LEFTOVER_ALREADY_BOOKED: { status: 409, message: 'You already have a leftover dose booked today.' },
  YEYAK_ERR_LEFTOVER_BELOW_BOOKED: { status: 409, message: 'Leftover doses cannot go below the ones already booked.' },
  YEYAK_ERR_APPOINTMENT_ALREADY_RECORDED: { status: 409, message: "This appointment's outcome is already recorded." },
  YEYAK_ERR_APPOINTMENT_NOT_DUE: { status: 409, message: 'An appointment can be recorded only on or after its day, while the booking is live.' },
  YEYAK_ERR_LEFTOVER_ALERTS_LIMIT: { status: 409, message: 'You can be alerted about at most five clinics.' },
  YEYAK_ERR_ALREADY_SERVED: { status: 409, message: 'Your turn has come already, so there is no place to give up; an admission you do not use simply expires.' },
  YEYAK_ERR_PREQUEUE_NOT_DRAWN: { status: 409, message: 'Your round has not been drawn yet; you can leave once it opens and you have a place.' },
  YEYAK_ERR_NOT_IN_QUEUE: { status: 409, message: 'This ticket does not hold a place in the queue.' },
  YEYAK_ERR_TICKET_LEFT: { status: 410, message: 'You left the queue with this ticket; join again for a new place at the back.' },
  YEYAK_ERR_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  YEYAK_ERR_URI_TOO_LONG: { status: 414, message: 'The address is too long.' },
  YEYAK_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type.' },
  YEYAK_ERR_IDEMPOTENCY_MISMATCH: { status: 422, message: 'This Idempotency-Key was used with a different request.' },
  YEYAK_ERR_NOT_ADMITTED_YET: { status: 425, message: 'Your turn has not come yet; keep this page open.' },
  YEYAK_ERR_NOT_LOGGED_YET: { status: 425, message: 'Your place is not in a signed checkpoint of the public log yet; try again in a second.' },
  YEYAK_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; wait and try again.' },
  YEYAK_ERR_OPERATOR_LOCKED: { status: 429, message: 'Too many failed logins; the account is locked until the time in Retry-After.' },
  YEYAK_ERR_OTP_TOO_MANY_ATTEMPTS: { status: 429, message: 'Too many wrong codes; ask for a new code later.' },
  YEYAK_ERR_INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  YEYAK_ERR_OIDC_RESPONSE_INVALID: { status: 502, message: 'The identity provider answered with something that could not be verified; try again or use another.' },
  YEYAK_ERR_UNAVAILABLE: { status: 503, message: 'The service is busy or a store is unreachable; try again shortly.' },
  YEYAK_ERR_QUEUE_UNAVAILABLE: { status: 503, message: 'The waiting room cannot admit anyone just now; your place is kept. Try again shortly.' },
  YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE: { status: 503, message: 'The identity provider cannot be reached; try again shortly or use another.' },
  YEYAK_ERR_MESSAGE_GATEWAY_UNAVAILABLE: { status: 503, message: 'We could not send the message just now; try again shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A coded error; `details` are safe to show the caller (never personal data of others). */
export class YeyakError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds, for 425/429/503. */
  readonly retryAfterSeconds: number | undefined;
  /** Fields the contract names at the top of the body, beside `error` (API.md: a 425 "with `{ahead, eta}`"). */
  readonly topLevel: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: { message?: string; details?: Record<string, unknown>; retryAfterSeconds?: number; topLevel?: Record<string, unknown> } = {}) {
    super(options.message ?? ERRORS[code].message);
    this.name = 'YeyakError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.topLevel = options.topLevel;
  }
}
