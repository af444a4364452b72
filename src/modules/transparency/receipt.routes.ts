import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { credential } from '../../http/credential-docs.ts';
import { Id, errorResponses } from '../../http/schemas.ts';
import { ticketOf } from '../waiting-room/index.ts';
import { decodeEntry } from './domain/log-entries.ts';
import type { CampaignQueueLog } from './queue-log.ts';
import { findLogSubject } from './queue-log.repository.ts';
import { drawSubject } from './round-entries.ts';

const Base64 = Type.String({ contentEncoding: 'base64' });
const LeafProof = Type.Object({
  leafIndex: Type.Integer({ minimum: 0 }),
  /** The leaf's bytes as hashed (an entry line), base64. */
  entry: Base64,
  /** The RFC 6962 inclusion path of the leaf in the checkpoint's tree, leaf to root. */
  proof: Type.Array(Base64),
});

/** A leaf's entry and inclusion proof in the tree of `size` entries. */
async function leafProof(log: CampaignQueueLog, found: { leafIndex: number; line: string }, size: number) {
  return {
    leafIndex: found.leafIndex,
    entry: Buffer.from(found.line, 'ascii').toString('base64'),
    proof: (await log.inclusionProof(found.leafIndex, size)).map((h) => h.toString('base64')),
  };
}

/**
 * A citizen's receipt (docs/transparency.md "Receipts"): their place's entry in the public log,
 * its inclusion proof in the latest signed checkpoint, and the opening of their commitment — all
 * an independent program needs to check that the place is theirs and that everyone is shown the
 * same log. A pre-queue entry also gets its round's draw, once drawn, which fixes its position.
 */
export const receiptRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/campaigns/:campaignId/queue/tickets/me/proof',
    {
      schema: {
        tags: ['waiting-room'],
        security: credential('ticket'),
        description: 'The ticket holder’s receipt from the campaign’s public queue log: their entry, its inclusion proof in the signed checkpoint, and the opening of its commitment.',
        params: Type.Object({ campaignId: Id }),
        response: {
          200: Type.Object({
            ...LeafProof.properties,
            /** The text of the signed note (a C2SP checkpoint) the proofs verify against. */
            checkpoint: Type.String(),
            /** The 32 bytes whose SHA-256, after the label `yeyak-queue/v1 commitment\n`, is the entry's commitment. */
            opening: Base64,
            /** For a pre-queue entry whose round was drawn: the round's draw entry and its proof. */
            draw: Type.Union([LeafProof, Type.Null()]),
          }),
          ...errorResponses(401, 403, 404, 425),
        },
      },
    },
    async (request) => {
      const campaign = await ctx.campaigns.get(request.params.campaignId);
      const ticket = await ticketOf(ctx, request, campaign.id);
      const pending = ctx.queueLogs.forCampaign(campaign.id);
      if (!pending || !ctx.queueOpenings) throw new YeyakError('YEYAK_ERR_NOT_FOUND', { details: { reason: 'this deployment keeps no queue log (YEYAK_QUEUE_LOG=off)' } });
      const opening = ctx.queueOpenings.opening(campaign.id, ticket.personKey);
      const log = await pending;
      await log.follow();
      const { size, note } = log.signedCheckpoint();
      // Found by the ticket's position (a first-come place) or the holder's commitment (a pre-queue entry).
      const leafIndex = (await ctx.placeLeafIndexes?.of(campaign.id, ticket.personKey, ticket.position)) ?? null;
      const line = leafIndex !== null && leafIndex < size ? await log.entryAt(leafIndex) : null;
      if (leafIndex === null || line === null) throw new YeyakError('YEYAK_ERR_NOT_LOGGED_YET', { retryAfterSeconds: 1 });
      const found = { leafIndex, line };
      const entry = decodeEntry(Buffer.from(line, 'ascii'));
      const drawn = entry.kind === 'enter' ? await findLogSubject(ctx.db, campaign.id, drawSubject(entry.round)) : null;
      return {
        ...(await leafProof(log, found, size)),
        checkpoint: note,
        opening: opening.toString('base64'),
        draw: drawn && drawn.leafIndex < size ? await leafProof(log, drawn, size) : null,
      };
    },
  );
};
