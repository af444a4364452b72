import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Ctx } from '../../context.ts';
import { createOperator, type OperatorRole } from '../operator/index.ts';

/** A staff account the demo made, with its initial password: shown to the person at the terminal once, stored only as a hash. */
export interface DemoAccount {
  role: OperatorRole;
  username: string;
  password: string;
  institutionId: string | null;
}

/**
 * Only the embedded database gets demo accounts. With `DATABASE_URL` the database is a real one
 * (YEYAK_DEMO=1 may still seed clinics and campaigns there), and an account whose password went
 * to a terminal or a log collector has no place in it.
 */
export function demoAccountsAllowed(config: Pick<Config, 'databaseUrl'>): boolean {
  return config.databaseUrl === null;
}

/**
 * An operator and a clinic-staff member of `institutionId`, made through the same service as any
 * account (argon2id hash, audit entry), each with a random 24-character password (144 bits).
 */
export async function createDemoAccounts(ctx: Pick<Ctx, 'clock' | 'db'>, institutionId: string): Promise<DemoAccount[]> {
  const wanted = [
    { role: 'operator', username: 'demo-operator', institutionId: null },
    { role: 'clinic_staff', username: 'demo-clinic', institutionId },
  ] as const;
  const accounts: DemoAccount[] = [];
  for (const account of wanted) {
    const password = randomBytes(18).toString('base64url');
    await createOperator(ctx, { id: 'system:demo-seed', role: 'system' }, { ...account, password });
    accounts.push({ ...account, password });
  }
  return accounts;
}
