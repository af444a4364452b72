/**
 * Creates a staff account from the command line — the way to make the first operator, since
 * `POST /api/v1/admin/operators` itself needs one (or YEYAK_OPERATOR_KEY).
 *
 *   npx tsx scripts/create-operator.ts --username ops.kim [--role operator|clinic_staff|agent] [--institution H1]
 *
 * The password is read from YEYAK_NEW_OPERATOR_PASSWORD when set (never from the command line,
 * which `ps` and shell history keep); otherwise a random one is generated and printed once.
 * Writes to DATABASE_URL when set, else to the embedded database under YEYAK_DATA_DIR (./data):
 * stop the server first there, the embedded database has one process at a time.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createContext } from '../src/bootstrap.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { YeyakError } from '../src/errors.ts';
import { createOperator } from '../src/modules/operator/operator-accounts.ts';
import { OPERATOR_ROLES, type OperatorRole } from '../src/modules/operator/operator-auth.ts';

function usage(message: string): never {
  console.error(`${message}\nusage: npx tsx scripts/create-operator.ts --username NAME [--role ${OPERATOR_ROLES.join('|')}] [--institution ID]`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { username: { type: 'string' }, role: { type: 'string', default: 'operator' }, institution: { type: 'string' } } });
  if (!values.username) usage('--username is required');
  if (!(OPERATOR_ROLES as readonly string[]).includes(values.role)) usage(`--role must be one of ${OPERATOR_ROLES.join(', ')}`);
  const given = process.env.YEYAK_NEW_OPERATOR_PASSWORD;
  const password = given || randomBytes(18).toString('base64url');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) usage(`configuration error: ${error.message}`);
    throw error;
  }
  const ctx = await createContext(config);
  try {
    const created = await createOperator(ctx, { id: 'cli:create-operator', role: 'system' }, {
      username: values.username,
      password,
      role: values.role as OperatorRole,
      institutionId: values.institution ?? null,
    });
    console.log(`created ${created.role} ${created.username} (id ${created.id})`);
    if (!given) console.log(`password (shown once, store it now): ${password}`);
  } catch (error) {
    if (!(error instanceof YeyakError)) throw error;
    const problems = (error.details?.problems as string[] | undefined) ?? [];
    console.error([error.message, ...problems].join('\n  '));
    process.exitCode = 1;
  } finally {
    await ctx.database.close();
  }
}

await main();
