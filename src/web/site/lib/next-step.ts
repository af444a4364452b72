import { ApiError } from '../../shared/api.ts';
import { showError } from '../../shared/error-words.ts';
import { inLang } from '../../shared/i18n.ts';
import { flowHref, signInHref } from './flow.ts';
import { byId, el } from './page.ts';

const LINKS = {
  ko: { waiting: '대기 화면으로 가기', signIn: '본인 인증하기', slots: '다른 시간 고르기', clinics: '다른 의료기관 고르기', bookings: '내 예약 보기', home: '처음 화면으로' },
  en: { waiting: 'Go to the waiting page', signIn: 'Verify who you are', slots: 'Choose another time', clinics: 'Choose another clinic', bookings: 'My bookings', home: 'Start page' },
};

/** The one button that gets the person going again after each kind of error. */
function nextStep(code: string): [keyof (typeof LINKS)['ko'], string] | null {
  switch (code) {
    case 'YEYAK_ERR_ADMISSION_REQUIRED':
    case 'YEYAK_ERR_ADMISSION_MISMATCH':
      return ['waiting', flowHref('/waiting.html')];
    case 'YEYAK_ERR_UNAUTHENTICATED':
      return ['signIn', signInHref()];
    case 'YEYAK_ERR_SOLD_OUT':
      return ['slots', flowHref('/slots/', { i: new URLSearchParams(location.search).get('i') })];
    case 'YEYAK_ERR_INSTITUTION_NOT_FOUND':
    case 'YEYAK_ERR_OUTSIDE_WINDOW':
      return ['clinics', flowHref('/clinics/')];
    case 'YEYAK_ERR_ALREADY_BOOKED':
    case 'YEYAK_ERR_BOOKING_NOT_ACTIVE':
    case 'YEYAK_ERR_BOOKING_NOT_FOUND':
    case 'YEYAK_ERR_IDEMPOTENCY_MISMATCH':
    case 'YEYAK_ERR_SELF_SERVICE_CLOSED':
    case 'YEYAK_ERR_INTERNAL':
      return ['bookings', '/bookings/'];
    case 'YEYAK_ERR_CAMPAIGN_NOT_FOUND':
    case 'YEYAK_ERR_NOT_FOUND':
    case 'YEYAK_ERR_NOT_ELIGIBLE':
      return ['home', '/'];
    default:
      return null;
  }
}

/** Shows an error in the page's alert box in plain words, with the button to the next step. */
export function showProblem(error: unknown): void {
  const box = byId('error');
  showError(box, error);
  const step = error instanceof ApiError ? nextStep(error.code) : null;
  if (!step) return;
  const link = el('a', inLang(LINKS)[step[0]], 'button wide');
  link.href = step[1];
  box.append(link);
}
