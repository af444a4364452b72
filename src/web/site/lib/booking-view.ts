import { api } from '../../shared/api.ts';
import { fill, inLang } from '../../shared/i18n.ts';
import { formatDate } from '../../shared/format.ts';
import type { BookingInfo } from './campaigns.ts';
import { recalledClinic, rememberClinic, type ClinicNote } from './flow.ts';
import { el } from './page.ts';

const M = { ko: { dose: '{n}차', clinic: '의료기관' }, en: { dose: 'Dose {n}', clinic: 'Clinic' } };

/** A booking's doses as a list: "1차 — 8월 12일 (수) 오전 9:00 · 서울 내과의원". */
export function doseList(booking: BookingInfo, list: HTMLElement = el('ol', undefined, 'plain')): HTMLElement {
  const m = inLang(M);
  list.replaceChildren(
    ...booking.doses.map((d) => {
      const li = el('li', undefined, 'card tint');
      li.append(el('strong', fill(m.dose, { n: d.dose })), el('p', `${formatDate(d.date)} ${d.time}`, 'big'), el('p', recalledClinic(d.institutionId).name, 'muted'));
      return li;
    }),
  );
  return list;
}

/** Looks up the names of the bookings' clinics this browser has not seen (a booking made on another device). */
export async function learnClinicNames(bookings: BookingInfo[]): Promise<void> {
  const unknown = [...new Set(bookings.flatMap((b) => b.doses.map((d) => d.institutionId)))].filter((id) => recalledClinic(id).name === id);
  for (let i = 0; i < unknown.length; i += 20) {
    const found = await api<ClinicNote[]>('GET', `/api/v1/institutions?ids=${unknown.slice(i, i + 20).map(encodeURIComponent).join(',')}`);
    found.forEach(rememberClinic);
  }
}
