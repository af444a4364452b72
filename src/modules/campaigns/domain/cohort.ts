import { isValidDate } from '../../../lib/seoul-time.ts';

function assertDate(name: string, value: string): void {
  if (!isValidDate(value)) throw new RangeError(`${name} "${value}" is not a valid YYYY-MM-DD date`);
}

/** True when `birthDate` lies in the inclusive band `bornFrom`…`bornTo` (a null bound is open). */
export function inCohort(birthDate: string, bornFrom: string | null, bornTo: string | null): boolean {
  assertDate('birthDate', birthDate);
  if (bornFrom !== null) assertDate('bornFrom', bornFrom);
  if (bornTo !== null) assertDate('bornTo', bornTo);
  // Valid YYYY-MM-DD strings order lexicographically exactly as the dates do.
  return (bornFrom === null || birthDate >= bornFrom) && (bornTo === null || birthDate <= bornTo);
}

/** Age in full years on `date` (international age); a Feb 29 birthday counts from Mar 1 in common years. */
export function ageOn(birthDate: string, date: string): number {
  assertDate('birthDate', birthDate);
  assertDate('date', date);
  if (date < birthDate) throw new RangeError(`date ${date} is before birthDate ${birthDate}`);
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  // Comparing "MM-DD" strings: on Feb 28 of a common year "02-28" < "02-29", so the birthday has
  // not come yet; on Mar 1 "03-01" > "02-29", so it has.
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
