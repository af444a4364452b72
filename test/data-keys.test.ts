import { describe, expect, it } from 'vitest';
import { startDataKey, wrappedDataKey } from '../src/infra/db/data-keys.ts';
import { EnvelopeCrypto } from '../src/lib/envelope-crypto.ts';
import { recordOnFirstNeed } from '../src/modules/identity/person-records.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * Phones at rest are sealed under the process's data key (migration 0032): stored, wrapped, before
 * the first value is sealed under it, and found there by any other process that reads the value.
 */
const t = useTestApp({ now: '2026-08-10T02:00:00Z' });

describe('data keys', () => {
  it("seals a recorded person's phone under the process's stored data key, which another process loads to open it", async () => {
    const id = t.ctx.crypto.dataKeyId;
    expect(id).toMatch(/^[\w-]{8}$/);
    expect(await wrappedDataKey(t.ctx.db, id!)).toMatch(/^[^.]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const person = { personKey: 'person-sealed-under-a-data-key', birthDate: '1950-01-01', maskedName: '김*수', sealed: { name: '김철수', phone: '010-3333-4444', verifiedAt: t.clock.now() } };
    await recordOnFirstNeed(t.ctx, person);
    const { phone_enc: sealed } = await t.ctx.db.selectFrom('persons').select('phone_enc').where('person_key', '=', person.personKey).executeTakeFirstOrThrow();
    expect(sealed!.split('.').slice(0, 2)).toEqual(['d1', id]);
    expect(sealed!.length).toBeLessThan(80);

    // Another node: the same key-encryption keys, its own data key, the same database.
    const other = new EnvelopeCrypto(t.ctx.config.secrets.encryptionKeys);
    const otherId = await startDataKey(t.ctx.db, other, t.clock.now());
    expect(otherId).not.toBe(id);
    expect(await other.decryptStored(sealed!, `persons.phone:${person.personKey}`)).toBe('010-3333-4444');
    await expect(other.decryptStored(sealed!, 'persons.phone:someone-else')).rejects.toThrow();
    // And the first opens what the second sealed.
    expect(await t.ctx.crypto.decryptStored(other.encrypt('010-5555-6666', 'c'), 'c')).toBe('010-5555-6666');
  });
});
