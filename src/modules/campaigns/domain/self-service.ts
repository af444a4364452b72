/**
 * Changes and cancellations are self-service until 2 days before the appointment, because
 * stock is shipped to clinics a week ahead (BRIEF §3).
 */
import { addDays, seoulInstant } from '../../../lib/seoul-time.ts';

/** First instant at which self-service ends: 00:00 Seoul on the day before `appointmentDate`. */
export function selfServiceDeadline(appointmentDate: string): Date {
  return seoulInstant(addDays(appointmentDate, -1), '00:00');
}

/** True while a person may still change or cancel an appointment on `appointmentDate` themselves. */
export function canSelfService(appointmentDate: string, now: Date): boolean {
  return now.getTime() < selfServiceDeadline(appointmentDate).getTime();
}
