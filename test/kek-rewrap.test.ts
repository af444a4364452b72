import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rewrapUnderActiveKek } from '../src/infra/db/kek-rewrap.ts';
import { wrappedDataKey } from '../src/infra/db/data-keys.ts';
import { EnvelopeCrypto } from '../src/lib/envelope-crypto.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * Rotating the key-encryption key (README, "Rotating the key-encryption key"): after
 * `npm run keys:rewrap` with the new KEK first, a process configured with the new KEK alone opens
 * every stored value — phones under a stored data key (`d1`), phones and mobile challenges sealed
 * with their own data key (`v1`) — and the values themselves were never rewritten.
 */
const t = useTestApp();

const newKek = { kid: 'kek-new', key: randomBytes(32) };
const phoneContext = (personKey: string) => `persons.phone:${personKey}`;
const challengeId = randomUUID();

/** A crypto holding only the new KEK, reading data keys from the table as a node does. */
function newKekOnly(): EnvelopeCrypto {
  const crypto = new EnvelopeCrypto([newKek]);
  crypto.loadDataKeysFrom((id) => wrappedDataKey(t.ctx.db, id));
  return crypto;
}

async function storedValues() {
  const persons = await t.ctx.db.selectFrom('persons').select(['person_key', 'phone_enc']).where('person_key', 'in', ['kek-d1', 'kek-v1']).orderBy('person_key').execute();
  const challenge = await t.ctx.db.selectFrom('otp_challenges').select('identity_enc').where('id', '=', challengeId).executeTakeFirstOrThrow();
  return { d1: persons[0]!.phone_enc!, v1: persons[1]!.phone_enc!, otp: challenge.identity_enc };
}

describe('rotating the key-encryption key', () => {
  it('wraps every stored data key again under the new KEK, so the old one can go, and leaves the sealed values alone', async () => {
    const oldKeks = t.config.secrets.encryptionKeys;
    // What a node of the old KEK stored: a phone under its data key, and `v1` values (a crypto with no data key seals those).
    const perValue = new EnvelopeCrypto(oldKeks);
    const person = (personKey: string, phoneEnc: string) => ({ person_key: personKey, birth_date: '1960-01-01', masked_name: '김*수', name_enc: null, phone_enc: phoneEnc, contact_hash: null, verified_at: null });
    await t.ctx.db.insertInto('persons').values([person('kek-d1', t.ctx.crypto.encrypt('010-1111-2222', phoneContext('kek-d1'))), person('kek-v1', perValue.encrypt('010-3333-4444', phoneContext('kek-v1')))]).execute();
    const now = t.clock.now();
    await t.ctx.db.insertInto('otp_challenges').values({ id: challengeId, code_hash: 'x', identity_enc: perValue.encrypt('{"name":"김철수"}', `otp:${challengeId}`), phone_hash: 'y', expires_at: now, consumed_at: null, created_at: now }).execute();
    const before = await storedValues();
    expect(before.d1.startsWith('d1.')).toBe(true);
    expect(before.v1.startsWith('v1.')).toBe(true);

    // The new KEK alone cannot open what the old one wraps.
    await expect(newKekOnly().decryptStored(before.d1, phoneContext('kek-d1'))).rejects.toThrow();
    await expect(newKekOnly().decryptStored(before.v1, phoneContext('kek-v1'))).rejects.toThrow();

    const rotated = new EnvelopeCrypto([newKek, ...oldKeks]);
    const dataKeys = await t.ctx.db.selectFrom('data_keys').select('id').execute();
    expect(await rewrapUnderActiveKek(t.ctx.db, rotated)).toEqual({ dataKeys: dataKeys.length, phones: 1, challenges: 1 });
    expect(await rewrapUnderActiveKek(t.ctx.db, rotated)).toEqual({ dataKeys: 0, phones: 0, challenges: 0 });

    const after = await storedValues();
    expect(after.d1).toBe(before.d1);
    // A `v1` value's sealed body is the same; only its wrapped data key changed.
    expect(after.v1.split('.').slice(5)).toEqual(before.v1.split('.').slice(5));
    expect(after.v1.split('.')[1]).toBe('kek-new');
    const reader = newKekOnly();
    expect(await reader.decryptStored(after.d1, phoneContext('kek-d1'))).toBe('010-1111-2222');
    expect(await reader.decryptStored(after.v1, phoneContext('kek-v1'))).toBe('010-3333-4444');
    expect(await reader.decryptStored(after.otp, `otp:${challengeId}`)).toBe('{"name":"김철수"}');
    // Bound to its row as before: the rewrapped value does not open as another person's.
    await expect(reader.decryptStored(after.v1, phoneContext('kek-d1'))).rejects.toThrow();
  });

  it('stops at a stored value that was altered, without writing it', async () => {
    const oldKeks = t.config.secrets.encryptionKeys;
    const sealed = new EnvelopeCrypto(oldKeks).encrypt('010-5555-6666', phoneContext('kek-bad'));
    const parts = sealed.split('.');
    parts[4] = randomBytes(32).toString('base64url');
    const altered = parts.join('.');
    await t.ctx.db.insertInto('persons').values({ person_key: 'kek-bad', birth_date: '1960-01-01', masked_name: '김*수', name_enc: null, phone_enc: altered, contact_hash: null, verified_at: null }).execute();
    await expect(rewrapUnderActiveKek(t.ctx.db, new EnvelopeCrypto([{ kid: 'kek-third', key: randomBytes(32) }, newKek, ...oldKeks]))).rejects.toThrow();
    const row = await t.ctx.db.selectFrom('persons').select('phone_enc').where('person_key', '=', 'kek-bad').executeTakeFirstOrThrow();
    expect(row.phone_enc).toBe(altered);
  });
});
