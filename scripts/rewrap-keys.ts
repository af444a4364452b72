/**
 * Wraps every stored data key again under the active key-encryption key, the step between adding
 * a new KEK and removing the old one (README, "Rotating the key-encryption key"):
 *
 *   YEYAK_ENCRYPTION_KEYS=<new kid>:<key>,<old kid>:<key> npm run keys:rewrap
 *
 * Writes to DATABASE_URL when set (it runs beside live nodes), else to the embedded database under
 * YEYAK_DATA_DIR (./data): stop the server first there, the embedded database has one process at a
 * time. Prints counts only, never a key or a value. Running it again finds nothing left.
 */
import { createContext } from '../src/bootstrap.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { rewrapUnderActiveKek } from '../src/infra/db/kek-rewrap.ts';
import { exitIfDataDirInUse } from '../src/infra/db/data-dir-lock.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
  const ctx = await createContext(config);
  try {
    const counts = await rewrapUnderActiveKek(ctx.db, ctx.crypto);
    console.log(`wrapped again under key ${ctx.crypto.activeKid}: ${counts.dataKeys} data keys, ${counts.phones} phones sealed before data keys were stored, ${counts.challenges} mobile sign-in challenges`);
  } finally {
    await ctx.database.close();
  }
}

await main().catch((error: unknown) => {
  exitIfDataDirInUse(error);
  throw error;
});
