import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSignerKey, parseNote, signerOf, signNote } from '../src/lib/signed-note.ts';
import { checkReceipt, parseVerifierKey, type Receipt } from '../src/web/site/lib/receipt-check.ts';
import { ok, openCampaign, operator, person } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The receipt page's check (src/web/site/lib/receipt-check.ts, written apart from the server's
 * log code) against receipts the server really serves: a good one passes every step, and each
 * kind of forgery fails the step it should — an altered entry, another person's opening, a
 * checkpoint signed with another key, a bent proof.
 */
describe('the receipt check the citizen’s browser runs', () => {
  let t: TestApp;
  let key: string;
  const C = 'receipt-check';
  const PRE = 'receipt-check-pre';
  const receipts: Receipt[] = [];

  async function receiptOf(campaignId: string, ticket: string): Promise<Receipt> {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/queue/tickets/me/proof`, headers: { authorization: `Bearer ${ticket}` } });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T19:30:00+09:00' });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C, { queueOpensAt: '2026-08-09T19:00:00+09:00' }), operator);
    await t.ctx.waitingRoom.refresh();
    key = (await t.app.inject({ method: 'GET', url: '/api/v1/log/key' })).body;
  });
  afterAll(() => t?.close());

  it('passes every step for a served receipt, pre-queue entry and draw included', async () => {
    // Two people wait in the pre-queue from 19:30 Seoul; the round is drawn at 20:00.
    const tickets: string[] = [];
    for (let i = 0; i < 2; i++) tickets.push((await ok(t.app, 'POST', `/api/v1/campaigns/${C}/queue/tickets`, undefined, await person(t.app))).ticket);
    t.clock.set('2026-08-09T20:00:00+09:00');
    await t.ctx.waitingRoom.refresh();
    t.clock.advance(1000);
    for (const ticket of tickets) receipts.push(await receiptOf(C, ticket));
    for (const receipt of receipts) {
      const checked = await checkReceipt(key, receipt);
      expect(checked).toMatchObject({ signed: true, yours: true, included: true, drawIncluded: true, kind: 'enter', round: 0, position: null });
      expect(checked.size).toBeGreaterThan(checked.leafIndex);
      expect(checked.atMs).toBe(Date.parse('2026-08-09T10:30:00Z'));
    }
  });

  it('passes a first-come place, with no draw', async () => {
    const ticket = (await ok(t.app, 'POST', `/api/v1/campaigns/${C}/queue/tickets`, undefined, await person(t.app))).ticket;
    t.clock.advance(250);
    await t.ctx.waitingRoom.refresh();
    t.clock.advance(1000);
    const checked = await checkReceipt(key, await receiptOf(C, ticket));
    expect(checked).toMatchObject({ signed: true, yours: true, included: true, drawIncluded: null, kind: 'place', position: 3 });
  });

  it('fails the step each forgery breaks', async () => {
    const [mine, theirs] = receipts as [Receipt, Receipt];
    // The entry altered (another round): not in the signed tree.
    const altered = Buffer.from(mine.entry, 'base64').toString('ascii').replace(/^enter 0 /, 'enter 1 ');
    expect(await checkReceipt(key, { ...mine, entry: Buffer.from(altered).toString('base64') })).toMatchObject({ included: false, yours: true, signed: true });
    // Someone else's opening: the entry is not theirs.
    expect(await checkReceipt(key, { ...mine, opening: theirs.opening })).toMatchObject({ yours: false, included: true });
    // Someone else's entry and proof with one's own opening: in the tree, but not one's own.
    expect(await checkReceipt(key, { ...theirs, opening: mine.opening })).toMatchObject({ yours: false, included: true });
    // The checkpoint re-signed by a key of the same name: the published key does not verify it.
    const { text } = parseNote(mine.checkpoint);
    const name = (await parseVerifierKey(key)).name;
    expect(await checkReceipt(key, { ...mine, checkpoint: signNote(text, [signerOf(generateSignerKey(name))]) })).toMatchObject({ signed: false, included: true });
    // A root the log never signed: the signature fails.
    const forged = text.replace(/\n[A-Za-z0-9+/=]{44}\n/, `\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    expect(forged).not.toBe(text);
    const signatureLines = mine.checkpoint.slice(text.length);
    expect(await checkReceipt(key, { ...mine, checkpoint: forged + signatureLines })).toMatchObject({ signed: false, included: false });
    // A bent proof, or a leaf index moved: not included.
    const bent = [...mine.proof];
    bent[0] = Buffer.alloc(32, 1).toString('base64');
    expect((await checkReceipt(key, { ...mine, proof: bent })).included).toBe(false);
    expect((await checkReceipt(key, { ...mine, leafIndex: mine.leafIndex + 1 })).included).toBe(false);
    expect((await checkReceipt(key, { ...mine, proof: mine.proof.slice(1) })).included).toBe(false);
    // A draw entry altered: not in the tree.
    const draw = { ...mine.draw!, entry: Buffer.from(Buffer.from(mine.draw!.entry, 'base64').toString('ascii').replace(/^draw 0 /, 'draw 1 ')).toString('base64') };
    expect((await checkReceipt(key, { ...mine, draw })).drawIncluded).toBe(false);
  });

  it('refuses a verifier key whose ID does not match it', async () => {
    // The key's base64 may itself hold a '+': only the first two separate its parts.
    const [name, id] = key.trim().split('+') as [string, string];
    const data = key.trim().slice(name.length + id.length + 2);
    const otherId = id.slice(0, 7) + (id.endsWith('0') ? '1' : '0');
    await expect(parseVerifierKey(`${name}+${otherId}+${data}`)).rejects.toThrow('ID');
    await expect(parseVerifierKey(`${name}+${id}`)).rejects.toThrow('malformed');
  });

  it('the server refuses a receipt before the log holds the place (425), then serves it', async () => {
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(PRE), operator);
    await t.ctx.waitingRoom.refresh();
    const ticket = (await ok(t.app, 'POST', `/api/v1/campaigns/${PRE}/queue/tickets`, undefined, await person(t.app))).ticket;
    const early = await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${PRE}/queue/tickets/me/proof`, headers: { authorization: `Bearer ${ticket}` } });
    expect(early.statusCode).toBe(425);
    expect(early.json().error.code).toBe('YEYAK_ERR_NOT_LOGGED_YET');
    t.clock.advance(250);
    await t.ctx.waitingRoom.refresh();
    t.clock.advance(1000);
    expect(await checkReceipt(key, await receiptOf(PRE, ticket))).toMatchObject({ signed: true, yours: true, included: true, kind: 'place', position: 1 });
  });
});
