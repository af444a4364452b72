import type { TemplateName } from './domain/templates.ts';

/** A text message to a phone (SMS or KakaoTalk), by template and parameters. */
export interface OutgoingMessage {
  to: string;
  template: TemplateName;
  params: Record<string, string>;
  /** The rendered text (Korean or English); the gateway sends it as is. */
  text?: string;
  /** KakaoTalk (알림톡) or SMS; the gateway's default when absent. */
  channel?: 'kakao' | 'sms';
  /** The gateway's deduplication key: the same event is never sent twice. */
  idempotencyKey: string;
}

/** The port every SMS/KakaoTalk gateway implements. */
export interface MessageGateway {
  send(message: OutgoingMessage): Promise<void>;
  /** A stand-in that keeps what it sent answers this (the demo's inbox); a real gateway does not. */
  byKey?(key: string): OutgoingMessage | undefined;
}

export interface LocalGatewayOptions {
  /** Simulated delivery latency in ms (a real gateway answers in 100–500 ms). */
  latencyMs?: number;
  /** Share of sends that fail, 0..1, as a real gateway sometimes does. */
  failureRate?: number;
  random?: () => number;
}

/**
 * The local stand-in for the message gateway: it keeps what it would have sent in memory so the
 * demo user and tests can read it (never the logs), with optional latency and failures.
 */
export class LocalMessageGateway implements MessageGateway {
  private readonly sent = new Map<string, OutgoingMessage>();
  private readonly order: string[] = [];

  constructor(private readonly options: LocalGatewayOptions = {}) {}

  async send(message: OutgoingMessage): Promise<void> {
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    if ((this.options.random ?? Math.random)() < (this.options.failureRate ?? 0)) throw new Error('message gateway: delivery failed');
    if (this.sent.has(message.idempotencyKey)) return;
    this.sent.set(message.idempotencyKey, message);
    this.order.push(message.idempotencyKey);
    // Bounded: the stand-in remembers the latest 10,000 messages.
    if (this.order.length > 10_000) this.sent.delete(this.order.shift()!);
  }

  /** Messages sent to a phone, newest first (for the demo inbox and tests). */
  inbox(phone: string): OutgoingMessage[] {
    const digits = phone.replace(/\D/g, '');
    return [...this.sent.values()].filter((m) => m.to.replace(/\D/g, '') === digits).reverse();
  }

  /** The message sent under an idempotency key, if any. */
  byKey(key: string): OutgoingMessage | undefined {
    return this.sent.get(key);
  }
}
