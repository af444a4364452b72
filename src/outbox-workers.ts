import type { Ctx } from './context.ts';
import { messageSender, reminderScheduler } from './modules/notifications/index.ts';
import { RegistryClient, registryReporter, scheduledImport } from './modules/registry/index.ts';
import { type OutboxConsumer, OutboxWorker, type OutboxWorkerOptions } from './modules/outbox/index.ts';

/**
 * This node's outbox worker: messages always (to the configured gateway or the local stand-in),
 * the registry reporter and the registry import when `YEYAK_REGISTRY_URL` is set, and the
 * day-before reminder scheduler. Without a registry its jobs wait as pending, never lost.
 */
export function createOutboxWorker(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db' | 'messages' | 'metrics'>, options: OutboxWorkerOptions = {}): OutboxWorker {
  const consumers: OutboxConsumer[] = [messageSender(ctx)];
  const periodic: NonNullable<OutboxWorkerOptions['periodic']> = [{ name: 'reminders', run: reminderScheduler(ctx) }];
  const { url, timeoutMs, importIntervalSeconds } = ctx.config.registry;
  if (url) {
    const client = new RegistryClient(url, timeoutMs, ctx.clock, ctx.metrics);
    consumers.push(registryReporter(ctx, client));
    periodic.push({ name: 'registry-import', run: scheduledImport(ctx, client, importIntervalSeconds * 1000) });
  }
  return new OutboxWorker(ctx, consumers, { ...options, periodic: [...periodic, ...(options.periodic ?? [])] });
}
