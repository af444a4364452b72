/**
 * A whole-number command-line option of a bench or script: `fallback` when absent, else its value,
 * refused with a message naming the option when it is not a whole number ≥ `min`.
 *
 * @example
 * const seconds = wholeNumberOption('seconds', values.seconds, 10, 3);
 */
export function wholeNumberOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return Number(raw);
}
