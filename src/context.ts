import type { Config } from './config.ts';
import type { Database, Db } from './infra/db/database.ts';
import type { Clock } from './lib/clock.ts';
import type { EnvelopeCrypto } from './lib/envelope-crypto.ts';
import type { TokenSigner } from './lib/signed-tokens.ts';
import type { CampaignCatalog } from './modules/campaigns/campaign-catalog.ts';

/** What every feature module is handed: configuration, stores, the clock and the signer. */
export interface Ctx {
  config: Readonly<Config>;
  database: Database;
  db: Db;
  clock: Clock;
  signer: TokenSigner;
  /** Encrypts personal data at rest (names, phones). */
  crypto: EnvelopeCrypto;
  campaigns: CampaignCatalog;
}
