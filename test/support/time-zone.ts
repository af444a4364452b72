import { afterEach, beforeEach } from 'vitest';

/**
 * Runs every test of the enclosing `describe` with the process time zone set to `tz` and restores
 * it afterwards — Yeyak's answers must not depend on it (BRIEF §3: the server clock and Asia/Seoul).
 */
export function useProcessTimeZone(tz: string): void {
  const saved = process.env.TZ;
  beforeEach(() => {
    process.env.TZ = tz;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
