// The success page: the booking code, large, and both doses as the server booked them.
import { api, ApiError } from '../shared/api.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { type BookingInfo } from './lib/campaigns.ts';
import { doseList, learnClinicNames } from './lib/booking-view.ts';
import { recalledClinic } from './lib/flow.ts';
import { showProblem } from './lib/next-step.ts';
import { byId, startPage } from './lib/page.ts';

const EN: Record<string, string> = {
  title: 'Booked — Yeyak',
  h1: 'You are booked',
  code: 'Booking code',
  message: 'We also send the booking by text message. Write the code down or take a screenshot of this page.',
  bookings: 'My bookings',
};

const M = { ko: { who: '예약하신 분: {name}' }, en: { who: 'Booked for: {name}' } };

let booking: BookingInfo | null = null;

function draw(): void {
  if (!booking) return;
  byId('code').textContent = booking.code;
  byId('who').textContent = fill(inLang(M).who, { name: booking.personMaskedName });
  const clinic = recalledClinic(booking.doses[0]?.institutionId ?? '');
  byId('clinic').textContent = clinic.name;
  byId('clinic-address').textContent = clinic.address;
  doseList(booking, byId('doses'));
  byId('done').hidden = false;
}

startPage(EN, draw);
const id = new URLSearchParams(location.search).get('b');
api<BookingInfo[]>('GET', '/api/v1/bookings')
  .then((list) => {
    booking = list.find((b) => b.id === id) ?? null;
    if (!booking) throw new ApiError(404, 'YEYAK_ERR_BOOKING_NOT_FOUND', 'not found');
    return learnClinicNames([booking]).catch(() => {});
  })
  .then(() => {
    draw();
  })
  .catch(showProblem)
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
