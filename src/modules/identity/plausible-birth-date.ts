import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { seoulDate } from '../../lib/seoul-time.ts';

/** A birth date between 1900-01-01 and today (Seoul), else a 400. */
export function checkPlausibleBirthDate(ctx: Pick<Ctx, 'clock'>, birthDate: string): void {
  if (birthDate > seoulDate(ctx.clock.now()) || birthDate < '1900-01-01') {
    throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['birthDate is not a plausible birth date'] } });
  }
}
