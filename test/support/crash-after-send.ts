/**
 * A worker process that dies the hard way right after the message gateway accepted a message and
 * before the job is marked sent (test/message-crash.test.ts). Configured by the environment like
 * the server; runs one outbox round.
 */
import { createContext } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { createOutboxWorker } from '../../src/outbox-workers.ts';

const ctx = await createContext(loadConfig(process.env));
const gateway = ctx.messages;
ctx.messages = {
  async send(message) {
    await gateway.send(message);
    process.kill(process.pid, 'SIGKILL');
  },
};
await createOutboxWorker(ctx).runOnce();
// Reached only if nothing was sent: the test sees exit code 3 instead of SIGKILL.
process.exit(3);
