import { ApiError, OFFLINE } from './api.ts';
import { inLang } from './i18n.ts';

/** What happened, and what to do next, in plain words. */
type Words = { ko: [string, string]; en: [string, string] };

const TRY_AGAIN: Words = { ko: ['잠시 문제가 생겼습니다.', '잠시 후 다시 시도해 주세요.'], en: ['Something went wrong for a moment.', 'Please try again in a little while.'] };
const SIGN_IN_AGAIN: Words = { ko: ['본인 인증이 끝나지 않았습니다.', '처음부터 다시 인증해 주세요.'], en: ['The identity check did not finish.', 'Please start the identity check again.'] };
const STAFF_ONLY: Words = { ko: ['관리자 화면에서만 쓰는 기능입니다.', '시민 예약에는 필요하지 않습니다. 처음 화면으로 돌아가 주세요.'], en: ['This is for staff screens only.', 'You do not need it to book. Please go back to the start page.'] };

/**
 * Every error code of docs/errors.md in plain Korean and English (a test keeps the two lists in
 * step). Operator-only codes get a short "staff only" answer: a citizen should never see them.
 */
export const ERROR_WORDS: Record<string, Words> = {
  YEYAK_ERR_VALIDATION: { ko: ['입력하신 내용을 확인할 수 없습니다.', '빨간 표시가 있는 칸을 고쳐서 다시 눌러 주세요.'], en: ['Some of what you entered could not be read.', 'Check the fields and try again.'] },
  YEYAK_ERR_MALFORMED_JSON: TRY_AGAIN,
  YEYAK_ERR_CSV_INVALID: STAFF_ONLY,
  YEYAK_ERR_CAMPAIGN_INVALID: STAFF_ONLY,
  YEYAK_ERR_UNAUTHENTICATED: { ko: ['본인 인증이 필요하거나 인증 시간이 지났습니다.', '본인 인증을 다시 해 주세요. 대기 순서는 그대로 유지됩니다.'], en: ['You need to verify who you are, or your sign-in has expired.', 'Please sign in again. Your place in the queue is kept.'] },
  YEYAK_ERR_ADMISSION_REQUIRED: { ko: ['예약 가능 시간이 지났거나 아직 대기열을 거치지 않았습니다.', '대기 화면으로 가서 차례를 기다려 주세요. 이미 받은 순서는 그대로입니다.'], en: ['Your booking time has ended, or you have not been through the queue yet.', 'Go to the waiting page. Any place you already had is kept.'] },
  YEYAK_ERR_OTP_INVALID: { ko: ['인증번호가 맞지 않습니다.', '문자 메시지의 6자리 숫자를 다시 확인해 입력해 주세요.'], en: ['That code is not right.', 'Check the 6 digits in the text message and enter them again.'] },
  YEYAK_ERR_OTP_EXPIRED: { ko: ['인증번호의 유효 시간이 지났거나 이미 사용되었습니다.', '인증번호를 다시 받아 주세요.'], en: ['That code has expired or was already used.', 'Ask for a new code.'] },
  YEYAK_ERR_OPERATOR_UNAUTHENTICATED: STAFF_ONLY,
  // The synthetic probe's door: no citizen's page ever calls it.
  YEYAK_ERR_PROBE_UNAUTHENTICATED: STAFF_ONLY,
  YEYAK_ERR_NOT_SYNTHETIC: STAFF_ONLY,
  YEYAK_ERR_PROBE_DISABLED: STAFF_ONLY,
  YEYAK_ERR_OPERATOR_LOGIN_FAILED: STAFF_ONLY,
  YEYAK_ERR_OIDC_LOGIN_INVALID: SIGN_IN_AGAIN,
  YEYAK_ERR_OIDC_STATE_MISMATCH: SIGN_IN_AGAIN,
  YEYAK_ERR_OIDC_NONCE_MISMATCH: SIGN_IN_AGAIN,
  YEYAK_ERR_OIDC_CODE_REJECTED: SIGN_IN_AGAIN,
  YEYAK_ERR_OIDC_EXPIRED: { ko: ['인증 시간이 너무 오래 걸려 만료되었습니다.', '처음부터 다시 인증해 주세요.'], en: ['The sign-in took too long and expired.', 'Please start again.'] },
  YEYAK_ERR_OIDC_DENIED: { ko: ['인증서 인증이 취소되었습니다.', '다시 시도하거나 휴대폰 문자 인증을 이용해 주세요.'], en: ['The certificate sign-in was cancelled.', 'Try again, or use a text-message code instead.'] },
  YEYAK_ERR_OIDC_CLAIMS_MISSING: { ko: ['인증서에서 이름, 생년월일, 휴대폰 번호를 받지 못했습니다.', '정보 제공에 동의하거나 휴대폰 문자 인증을 이용해 주세요.'], en: ['The certificate service did not share your name, birth date and phone number.', 'Allow sharing them, or use a text-message code instead.'] },
  YEYAK_ERR_FORBIDDEN: { ko: ['이 작업은 할 수 없습니다.', '처음 화면으로 돌아가 다시 시작해 주세요.'], en: ['That cannot be done here.', 'Go back to the start page and begin again.'] },
  YEYAK_ERR_ADMISSION_MISMATCH: { ko: ['예약 권한이 지금 로그인한 분이나 이 예약과 맞지 않습니다.', '대기 화면에서 다시 차례를 받아 주세요.'], en: ['Your booking pass belongs to another person or campaign.', 'Go to the waiting page to get your turn again.'] },
  YEYAK_ERR_NOT_ELIGIBLE: { ko: ['지금은 이 예약에 참여할 수 없습니다.', '아래 안내된 예약 가능 날짜에 다시 와 주세요.'], en: ['You cannot book in this campaign now.', 'Come back on the day shown below.'] },
  YEYAK_ERR_PROXY_NOT_ALLOWED: { ko: ['이 예약은 대리 예약을 받지 않습니다.', '예약하실 분이 직접 본인 인증을 해서 예약해 주세요.'], en: ['This campaign does not allow booking for someone else.', 'The person must sign in and book for themselves.'] },
  YEYAK_ERR_SELF_SERVICE_CLOSED: { ko: ['접종일 이틀 전부터는 인터넷으로 변경·취소할 수 없습니다.', '백신은 일주일 전에 배송됩니다. 예약한 의료기관에 전화로 문의해 주세요.'], en: ['Changes and cancellations close 2 days before the appointment.', 'Vaccines are shipped a week ahead. Please call your clinic.'] },
  YEYAK_ERR_NOT_FOUND: { ko: ['찾으시는 내용이 없습니다.', '처음 화면에서 다시 시작해 주세요.'], en: ['We could not find that.', 'Please start again from the start page.'] },
  YEYAK_ERR_CAMPAIGN_NOT_FOUND: { ko: ['해당 예약 일정이 없습니다.', '처음 화면에서 예약 일정을 다시 골라 주세요.'], en: ['There is no such booking campaign.', 'Choose a campaign on the start page.'] },
  YEYAK_ERR_INSTITUTION_NOT_FOUND: { ko: ['이 의료기관은 이번 예약에 참여하지 않습니다.', '의료기관 찾기로 돌아가 다른 곳을 골라 주세요.'], en: ['This clinic does not take part in this campaign.', 'Go back to the clinic search and pick another.'] },
  YEYAK_ERR_BOOKING_NOT_FOUND: { ko: ['해당 예약을 찾을 수 없습니다.', '내 예약 화면에서 확인해 주세요.'], en: ['We could not find that booking.', 'Check “My bookings”.'] },
  YEYAK_ERR_PERSON_NOT_FOUND: STAFF_ONLY,
  YEYAK_ERR_DEPENDENT_NOT_FOUND: { ko: ['등록된 가족이 아닙니다.', '가족 대리 예약 화면에서 먼저 등록해 주세요.'], en: ['That person is not registered as your family member.', 'Register them first on the family page.'] },
  YEYAK_ERR_DEV_IDENTITY_DISABLED: { ko: ['이 인증 방법은 쓸 수 없습니다.', '휴대폰 문자 인증이나 인증서를 이용해 주세요.'], en: ['This sign-in method is not available.', 'Use a text-message code or a certificate.'] },
  YEYAK_ERR_OIDC_PROVIDER_UNKNOWN: { ko: ['이 인증서는 지원하지 않습니다.', '다른 인증 방법을 골라 주세요.'], en: ['This certificate service is not supported.', 'Choose another way to sign in.'] },
  YEYAK_ERR_METHOD_NOT_ALLOWED: TRY_AGAIN,
  YEYAK_ERR_SOLD_OUT: { ko: ['고르신 시간의 백신이 방금 모두 예약되었습니다.', '다른 시간이나 다른 날짜를 골라 주세요.'], en: ['The doses at that time have just been taken.', 'Please choose another time or date.'] },
  YEYAK_ERR_ALREADY_BOOKED: { ko: ['이미 이 접종 예약이 있습니다.', '내 예약에서 확인하고, 필요하면 변경해 주세요.'], en: ['You already have a booking in this campaign.', 'See “My bookings”, and change it there if needed.'] },
  YEYAK_ERR_OUTSIDE_WINDOW: { ko: ['지금은 이 날짜나 시간을 예약할 수 없습니다.', '예약은 생일 끝자리에 따라 정해진 기간에만 할 수 있습니다. 내일 이후 날짜를 골라 주세요.'], en: ['That date or time cannot be booked now.', 'Booking is open only in your birth-day window; choose a date from tomorrow on.'] },
  YEYAK_ERR_BOOKING_NOT_ACTIVE: { ko: ['이미 취소된 예약입니다.', '새로 예약하시려면 처음 화면에서 시작해 주세요.'], en: ['That booking is already cancelled.', 'To book again, start from the start page.'] },
  YEYAK_ERR_CAMPAIGN_EXISTS: STAFF_ONLY,
  YEYAK_ERR_OPERATOR_EXISTS: STAFF_ONLY,
  YEYAK_ERR_CAPACITY_BELOW_BOOKED: STAFF_ONLY,
  YEYAK_ERR_DEPENDENT_LIMIT: { ko: ['대리 예약할 가족을 더 등록할 수 없습니다.', '이미 등록된 가족으로 예약해 주세요.'], en: ['You cannot register more family members.', 'Book for the ones already registered.'] },
  YEYAK_ERR_CONFLICT_RETRY: { ko: ['같은 시각에 다른 요청과 겹쳤습니다.', '같은 버튼을 한 번 더 눌러 주세요. 두 번 예약되지 않습니다.'], en: ['Your request crossed another one.', 'Press the same button again; you will not be booked twice.'] },
  YEYAK_ERR_BODY_TOO_LARGE: TRY_AGAIN,
  YEYAK_ERR_URI_TOO_LONG: TRY_AGAIN,
  YEYAK_ERR_UNSUPPORTED_MEDIA_TYPE: TRY_AGAIN,
  YEYAK_ERR_IDEMPOTENCY_MISMATCH: { ko: ['앞서 보낸 예약 요청과 내용이 다릅니다.', '내 예약에서 예약이 되었는지 먼저 확인해 주세요.'], en: ['This differs from the booking request sent before.', 'Check “My bookings” first to see whether you are booked.'] },
  YEYAK_ERR_NOT_ADMITTED_YET: { ko: ['아직 차례가 오지 않았습니다.', '이 화면을 그대로 두세요. 차례가 되면 바로 알려드립니다.'], en: ['Your turn has not come yet.', 'Keep this page open; we will tell you the moment it comes.'] },
  YEYAK_ERR_NOT_LOGGED_YET: { ko: ['아직 공개 기록에 서명되어 올라가지 않았습니다.', '1초쯤 뒤에 다시 확인해 주세요.'], en: ['Your place is not in a signed checkpoint of the public log yet.', 'Check again in a second.'] },
  YEYAK_ERR_RATE_LIMITED: { ko: ['짧은 시간에 요청이 너무 많았습니다.', '잠시 기다리시면 자동으로 다시 시도합니다.'], en: ['Too many requests in a short time.', 'Wait a moment; we will try again by ourselves.'] },
  YEYAK_ERR_OPERATOR_LOCKED: STAFF_ONLY,
  YEYAK_ERR_OTP_TOO_MANY_ATTEMPTS: { ko: ['인증번호를 여러 번 틀렸습니다.', '10분쯤 뒤에 인증번호를 새로 받아 주세요.'], en: ['The code was wrong too many times.', 'Ask for a new code in about 10 minutes.'] },
  YEYAK_ERR_INTERNAL: { ko: ['저희 쪽에서 문제가 생겼습니다.', '잠시 후 다시 시도해 주세요. 예약이 되었는지는 내 예약에서 확인할 수 있습니다.'], en: ['Something went wrong on our side.', 'Please try again shortly. “My bookings” shows whether you are booked.'] },
  YEYAK_ERR_OIDC_RESPONSE_INVALID: { ko: ['인증서 서비스의 응답을 확인하지 못했습니다.', '다시 시도하거나 다른 인증 방법을 이용해 주세요.'], en: ['We could not verify the certificate service’s answer.', 'Try again, or use another way to sign in.'] },
  YEYAK_ERR_UNAVAILABLE: { ko: ['지금 접속하신 분이 많습니다.', '자동으로 다시 시도합니다. 이 화면을 그대로 두세요.'], en: ['Many people are connected right now.', 'We will try again by ourselves; keep this page open.'] },
  YEYAK_ERR_QUEUE_UNAVAILABLE: { ko: ['대기열이 잠시 멈췄습니다. 순서는 그대로 유지됩니다.', '자동으로 다시 시도합니다. 이 화면을 그대로 두세요.'], en: ['The queue has paused for a moment; your place is kept.', 'We will try again by ourselves; keep this page open.'] },
  YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE: { ko: ['인증서 서비스에 연결할 수 없습니다.', '잠시 후 다시 시도하거나 휴대폰 문자 인증을 이용해 주세요.'], en: ['The certificate service cannot be reached.', 'Try again shortly, or use a text-message code.'] },
  YEYAK_ERR_MESSAGE_GATEWAY_UNAVAILABLE: { ko: ['문자 메시지를 보내지 못했습니다.', '잠시 후 인증번호를 다시 요청해 주세요.'], en: ['We could not send the text message.', 'Ask for the code again shortly.'] },
  [OFFLINE]: { ko: ['인터넷 연결이 끊겼습니다.', '연결을 확인해 주세요. 연결되면 다시 시도합니다.'], en: ['The internet connection was lost.', 'Check your connection; we will try again when it is back.'] },
  YEYAK_ERR_CAMPAIGN_EDIT_REFUSED: STAFF_ONLY,
  YEYAK_ERR_OUTBOX_JOB_NOT_FOUND: STAFF_ONLY,
  YEYAK_ERR_APPOINTMENT_NOT_FOUND: STAFF_ONLY,
  YEYAK_ERR_APPOINTMENT_ALREADY_RECORDED: STAFF_ONLY,
  YEYAK_ERR_APPOINTMENT_NOT_DUE: STAFF_ONLY,
  YEYAK_ERR_LEFTOVER_BELOW_BOOKED: STAFF_ONLY,
  YEYAK_ERR_LEFTOVER_SOLD_OUT: { ko: ['남은 백신이 방금 모두 예약되었습니다.', '다른 의료기관의 잔여 백신을 찾아보거나, 알림을 신청해 두세요.'], en: ['The leftover doses have just been taken.', 'Look for leftovers at another clinic, or ask to be alerted.'] },
  YEYAK_ERR_LEFTOVER_ALREADY_BOOKED: { ko: ['오늘 이미 잔여 백신을 예약하셨습니다.', '예약 내역에서 의료기관과 시간을 확인해 주세요.'], en: ['You have already booked a leftover dose today.', 'See your bookings for the clinic and time.'] },
  YEYAK_ERR_LEFTOVER_BARRED: { ko: ['예약하고 오지 않으신 기록이 있어 잔여 백신은 예약할 수 없습니다.', '일반 예약 일정에서 예약해 주세요.'], en: ['Because of a missed appointment, you cannot book leftover doses.', 'Please book through a regular campaign.'] },
  YEYAK_ERR_LEFTOVER_NOT_FOUND: { ko: ['이 잔여 백신 안내는 더 이상 없습니다.', '잔여 백신 목록을 새로 불러와 주세요.'], en: ['This leftover offer is no longer there.', 'Reload the list of leftover doses.'] },
  YEYAK_ERR_ALREADY_SERVED: { ko: ['이미 차례가 되어 순서를 포기할 수 없습니다.', '예약하지 않으시면 예약 가능 시간이 지나면서 자동으로 끝납니다.'], en: ['Your turn has already come, so there is no place to give up.', 'If you do not book, your booking time simply runs out.'] },
  YEYAK_ERR_PREQUEUE_NOT_DRAWN: { ko: ['아직 순서 추첨 전이라 대기열에서 나갈 수 없습니다.', '예약이 시작되어 순서가 정해진 뒤에 나갈 수 있습니다.'], en: ['The places have not been drawn yet, so you cannot leave now.', 'You can leave once booking opens and you have a number.'] },
  YEYAK_ERR_NOT_IN_QUEUE: { ko: ['이 대기표로는 대기열에 순서가 없습니다.', '대기 화면을 새로 열어 다시 들어가 주세요.'], en: ['This ticket holds no place in the queue.', 'Open the waiting page again to join.'] },
  YEYAK_ERR_TICKET_LEFT: { ko: ['이 대기표의 순서는 포기하셨습니다.', '다시 들어가시면 맨 뒤에서 새 순서를 받습니다.'], en: ['You gave up this ticket’s place.', 'Join again to get a new place at the back.'] },
  YEYAK_ERR_LEFTOVER_ALERTS_LIMIT: { ko: ['알림은 의료기관 다섯 곳까지 받을 수 있습니다.', '알림받을 의료기관을 다섯 곳 이하로 골라 주세요.'], en: ['You can be alerted about five clinics at most.', 'Choose five clinics or fewer.'] },
};

/** Plain words for an error: `[what happened, what to do next]`. */
export function explain(error: unknown): [string, string] {
  const code = error instanceof ApiError ? error.code : OFFLINE;
  return inLang(ERROR_WORDS[code] ?? TRY_AGAIN);
}

/** Shows an error in a page's alert box (role=alert), with its code for the call centre. */
export function showError(box: HTMLElement, error: unknown): void {
  const [what, next] = explain(error);
  box.replaceChildren();
  const strong = document.createElement('strong');
  strong.textContent = what;
  const p = document.createElement('p');
  p.textContent = next;
  box.append(strong, p);
  if (error instanceof ApiError && error.code.startsWith('YEYAK_ERR_')) {
    const code = document.createElement('small');
    code.textContent = error.code;
    box.append(code);
  }
  box.hidden = false;
  if (!(error instanceof ApiError)) console.error(error);
}
