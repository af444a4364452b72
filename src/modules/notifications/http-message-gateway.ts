import type { MessageGateway, OutgoingMessage } from './message-gateway.ts';
import { renderMessage } from './domain/templates.ts';
import { networkReason } from '../../lib/network-reason.ts';

/** The gateway refused the message itself (4xx): a retry of the same message will not help. */
export class MessageRejectedError extends Error {
  override name = 'MessageRejectedError';
}

/**
 * The message gateway over HTTP (docs/message-gateway-api.md): one POST per message under its
 * idempotency key, which the gateway deduplicates, so a retry after a timeout or a crash between
 * "accepted" and "marked sent" never reaches the phone twice. Errors carry statuses, never content.
 */
export class HttpMessageGateway implements MessageGateway {
  constructor(
    private readonly baseUrl: string,
    private readonly defaultChannel: 'kakao' | 'sms',
    private readonly timeoutMs = 5_000,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    let response: Response;
    try {
      response = await fetch(new URL('/v1/messages', this.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey },
        body: JSON.stringify({ to: message.to, channel: message.channel ?? this.defaultChannel, template: message.template, text: message.text ?? renderMessage(message.template, 'ko', message.params) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new Error(`message gateway unreachable: ${networkReason(error)}`, { cause: error });
    }
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 400 && response.status < 500 && response.status !== 429) throw new MessageRejectedError(`message gateway answered ${response.status}`);
    if (!response.ok) throw new Error(`message gateway answered ${response.status}`);
  }
}
