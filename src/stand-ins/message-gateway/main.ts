/**
 * The message gateway stand-in as its own process (`npm run messages:stand-in`). Flags (or env):
 *
 *   --port 4600 (GATEWAY_PORT)                   0 picks a free port; the URL is printed
 *   --latency-ms 20-200 (GATEWAY_LATENCY_MS)     each answer takes between these
 *   --failure-rate 0.01 (GATEWAY_FAILURE_RATE)   share answered 500
 *
 * Start Yeyak with YEYAK_MESSAGE_GATEWAY_URL=<printed URL>; read what was sent at <URL>/_admin/messages.
 */
import { parseArgs } from 'node:util';
import { startMessageGatewayStandIn } from './gateway-server.ts';

const env = process.env;
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: env.GATEWAY_PORT ?? '4600' },
    'latency-ms': { type: 'string', default: env.GATEWAY_LATENCY_MS ?? '20-200' },
    'failure-rate': { type: 'string', default: env.GATEWAY_FAILURE_RATE ?? '0.01' },
  },
});

const [min = 0, max = min] = values['latency-ms'].split('-').map(Number);
const failureRate = Number(values['failure-rate']);
const port = Number(values.port);
if (![min, max, failureRate, port].every(Number.isFinite) || failureRate < 0 || failureRate > 1) {
  console.error('usage: --port N --latency-ms MIN-MAX --failure-rate 0..1');
  process.exit(2);
}
const standIn = await startMessageGatewayStandIn({ port, behaviour: { latencyMs: [min, max], failureRate } });
process.stdout.write(`message gateway stand-in listening on ${standIn.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void standIn.close().then(() => process.exit(0)));
