import { inLang } from '../../shared/i18n.ts';
import { formatInstant } from '../../shared/format.ts';
import type { CampaignInfo } from './campaigns.ts';

type Win = CampaignInfo['windows'][number];

/** Which birth days a rotation digit stands for: 9 → 9, 19, 29; 0 → 10, 20, 30; 1 → 1, 11, 21, 31. */
function daysOfDigit(digit: number): number[] {
  return [0, 10, 20, 30].map((tens) => tens + digit).filter((d) => d >= 1 && d <= 31);
}

/** Who a window is for, in words. */
export function windowWho(w: Win): string {
  if (w.birthDayDigits) {
    const days = w.birthDayDigits.flatMap(daysOfDigit).sort((a, b) => a - b).join(', ');
    return inLang({ ko: `생일이 ${days}일인 분`, en: `born on day ${days} of a month` });
  }
  if (w.bornFrom || w.bornTo) {
    const from = w.bornFrom?.slice(0, 4) ?? '';
    const to = w.bornTo?.slice(0, 4) ?? '';
    return inLang({ ko: `${from}~${to}년생 추가 예약`, en: `catch-up for those born ${from}–${to}` });
  }
  return inLang({ ko: '대상자 누구나', en: 'everyone eligible' });
}

/** "8월 9일 (일) 오후 8:00 ~ 8월 10일 (월) 오후 6:00". */
export function windowSpan(w: { opensAt: string; closesAt: string }): string {
  return `${formatInstant(w.opensAt)} ~ ${formatInstant(w.closesAt)}`;
}
