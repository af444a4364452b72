/** Message templates in Korean and English, rendered from non-secret parameters. */

export type Locale = 'ko' | 'en';

export const TEMPLATE_NAMES = ['otp', 'booking.created', 'booking.changed', 'booking.cancelled', 'reminder', 'leftover.booked', 'leftover.alert'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

type Params = Record<string, string>;

const TEMPLATES: Record<TemplateName, Record<Locale, (p: Params) => string>> = {
  otp: {
    ko: (p) => `[예약] 인증번호 ${p.code} (3분 안에 입력하세요)`,
    en: (p) => `[Yeyak] Your code is ${p.code} (valid for 3 minutes)`,
  },
  'booking.created': {
    ko: (p) => `[예약] ${p.name}님, 예방접종 예약이 완료되었습니다. 예약번호 ${p.code}. ${p.schedule}. 변경·취소는 접종 2일 전까지 가능합니다.`,
    en: (p) => `[Yeyak] ${p.name}, your vaccination is booked. Booking code ${p.code}. ${p.schedule}. Changes and cancellations close 2 days before.`,
  },
  'booking.changed': {
    ko: (p) => `[예약] ${p.name}님, 예약이 변경되었습니다. 예약번호 ${p.code}. ${p.schedule}.`,
    en: (p) => `[Yeyak] ${p.name}, your booking was changed. Booking code ${p.code}. ${p.schedule}.`,
  },
  'booking.cancelled': {
    ko: (p) => `[예약] ${p.name}님, 예약번호 ${p.code} 예약이 취소되었습니다.`,
    en: (p) => `[Yeyak] ${p.name}, booking ${p.code} has been cancelled.`,
  },
  reminder: {
    ko: (p) => `[예약] ${p.name}님, 내일(${p.date}) ${p.time} ${p.clinic}에서 ${p.dose}차 접종이 있습니다. 예약번호 ${p.code}.`,
    en: (p) => `[Yeyak] ${p.name}, tomorrow (${p.date}) at ${p.time}: dose ${p.dose} at ${p.clinic}. Booking code ${p.code}.`,
  },
  'leftover.booked': {
    ko: (p) => `[예약] ${p.name}님, 오늘(${p.date}) ${p.clinic} 잔여백신 예약이 완료되었습니다. 방문하지 않으면 잔여백신 예약이 제한됩니다.`,
    en: (p) => `[Yeyak] ${p.name}, a leftover dose is yours today (${p.date}) at ${p.clinic}. Not showing up bars you from leftover booking.`,
  },
  'leftover.alert': {
    ko: (p) => `[예약] ${p.clinic}에 오늘 잔여백신 ${p.doses}회분이 있습니다. 선착순입니다.`,
    en: (p) => `[Yeyak] ${p.clinic} has ${p.doses} leftover doses today, first come first served.`,
  },
};

/** Every placeholder a template uses, so a missing parameter fails loudly rather than printing "undefined". */
const PLACEHOLDERS = /\$\{p\.(\w+)\}/g;

/** Renders a template in a locale; throws if a parameter it needs is missing. */
export function renderMessage(template: TemplateName, locale: Locale, params: Params): string {
  const render = TEMPLATES[template][locale];
  for (const [, name] of render.toString().matchAll(PLACEHOLDERS)) {
    if (params[name!] === undefined) throw new Error(`template ${template} needs the parameter ${name}`);
  }
  return render(params);
}

/** "1차 2026-08-20 09:00 / 2차 …" or "dose 1 2026-08-20 09:00 / dose 2 …" for a booking's doses. */
export function scheduleLine(locale: Locale, clinic: string, doses: { dose: number; date: string; time: string }[]): string {
  const parts = doses.map((d) => (locale === 'ko' ? `${d.dose}차 ${d.date} ${d.time}` : `dose ${d.dose} ${d.date} ${d.time}`));
  return `${clinic}: ${parts.join(' / ')}`;
}
