import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { inTransaction, isUniqueViolation } from '../../infra/db/transaction.ts';
import { recordAudit, type AuditActor } from './audit.ts';
import type { OperatorRole } from './operator-auth.ts';
import { normaliseUsername } from './operator-login.ts';
import { institutionExists, insertOperator } from './operators.repository.ts';
import { hashPassword } from './passwords.ts';

/** Usernames: lower-case letters, digits, `.`, `_`, `-`; 3–64 characters. */
export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{2,63}$';
/** NIST SP 800-63B: at least 8; we ask 12 of staff accounts. Long enough for passphrases. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export interface NewOperator {
  username: string;
  password: string;
  role: OperatorRole;
  institutionId?: string | null;
}

export interface CreatedOperator {
  id: string;
  username: string;
  role: OperatorRole;
  institutionId: string | null;
}

function problemsOf(input: NewOperator, username: string): string[] {
  const problems: string[] = [];
  if (!new RegExp(USERNAME_PATTERN).test(username)) problems.push('username must be 3–64 of a-z, 0-9, ".", "_", "-"');
  const length = [...input.password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) problems.push(`password must be ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters`);
  if (input.role === 'clinic_staff' && !input.institutionId) problems.push('clinic_staff needs an institutionId');
  if (input.role !== 'clinic_staff' && input.institutionId) problems.push('only clinic_staff is bound to an institution');
  return problems;
}

/**
 * Creates a staff account (argon2id-hashed password) and its audit entry in one transaction.
 * Used by `POST /api/v1/admin/operators` and by `scripts/create-operator.ts`.
 */
export async function createOperator(ctx: Pick<Ctx, 'clock' | 'db'>, actor: AuditActor, input: NewOperator): Promise<CreatedOperator> {
  const username = normaliseUsername(input.username);
  const problems = problemsOf(input, username);
  const institutionId = input.role === 'clinic_staff' ? (input.institutionId ?? null) : null;
  if (institutionId !== null && problems.length === 0 && !(await institutionExists(ctx.db, institutionId))) {
    problems.push(`institutionId ${institutionId} is not a known institution`);
  }
  if (problems.length > 0) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems } });
  const account = { id: randomUUID(), username, passwordHash: await hashPassword(input.password), role: input.role, institutionId };
  const now = ctx.clock.now();
  try {
    await inTransaction(ctx.db, async (trx) => {
      await insertOperator(trx, account, now);
      await recordAudit(trx, now, actor, { action: 'operator.created', target: `operator:${account.id}`, details: { role: account.role, institutionId } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new YeyakError('YEYAK_ERR_OPERATOR_EXISTS');
    throw error;
  }
  return { id: account.id, username, role: account.role, institutionId };
}
