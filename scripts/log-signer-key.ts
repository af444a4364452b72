/**
 * Prints a new Ed25519 signer key for the queue log (`YEYAK_LOG_SIGNER_KEY`, docs/transparency.md)
 * and, on stderr, its verifier key for the public. The name starts each campaign log's origin: the
 * deployment's host and a path, e.g. `yeyak.example/queue-log`.
 *
 *   npm run log:signer-key -- yeyak.example/queue-log
 */
import { generateSignerKey, isKeyName, signerOf } from '../src/lib/signed-note.ts';

const name = process.argv[2];
if (!name || !isKeyName(name)) {
  console.error('usage: npm run log:signer-key -- <name, e.g. yeyak.example/queue-log: no spaces, no "+">');
  process.exit(2);
}
const key = generateSignerKey(name);
console.log(key);
console.error(`verifier key: ${signerOf(key).verifierKey}`);
