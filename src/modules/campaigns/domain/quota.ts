/**
 * Equal distribution (물량 균등분배): a clinic's quantity for a date is split evenly across the
 * rotation windows so that the last window still finds every clinic and date (BRIEF §3).
 */

/** Splits `total` into `parts` integers differing by at most 1; the +1 shares start at `rotateBy % parts`. */
export function splitEvenly(total: number, parts: number, rotateBy = 0): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`total must be a non-negative integer, got ${total}`);
  if (!Number.isSafeInteger(parts) || parts < 1) throw new RangeError(`parts must be an integer ≥ 1, got ${parts}`);
  if (!Number.isSafeInteger(rotateBy)) throw new RangeError(`rotateBy must be an integer, got ${rotateBy}`);
  const base = Math.floor(total / parts);
  const extra = total % parts;
  // Rotating the start lets different dates hand the leftover doses to different windows.
  const start = ((rotateBy % parts) + parts) % parts;
  return Array.from({ length: parts }, (_, i) => base + (((i - start + parts) % parts) < extra ? 1 : 0));
}
