import { parentPort } from 'node:worker_threads';
import { type HashingReply, type HashingRequest, packedCommitments, packedLeafHashes, packedTreeHashes } from './log-hashes.ts';

/**
 * The queue log's hashing thread (`log-hashing.ts`): a batch of commitments, leaf hashes or a tree's
 * new hashes per message, so the main thread, which answers the joins, does not make them. Each reply hands its
 * buffer over (no copy). Loaded by Node's own type stripping, not tsx: erasable TypeScript only.
 */
const port = parentPort!;

port.on('message', (request: HashingRequest) => {
  let reply: HashingReply;
  try {
    const packed =
      request.op === 'commitments'
        ? packedCommitments(request.openingKey, request.campaignId, request.personKeys)
        : request.op === 'leaves'
          ? packedLeafHashes(request.lines)
          : packedTreeHashes(request.lines, request.size, request.edge);
    reply = { id: request.id, ok: true, packed };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, reply.ok ? [reply.packed.buffer as ArrayBuffer] : []);
});
