import type { Ctx } from '../../context.ts';
import { messageSender, reminderScheduler } from '../notifications/message-sender.ts';
import { RegistryClient } from '../registry/registry-client.ts';
import { scheduledImport } from '../registry/registry-import.ts';
import { registryReporter } from '../registry/registry-reporter.ts';
import { OutboxWorker, type OutboxConsumer, type OutboxWorkerOptions } from './outbox-worker.ts';

/**
 * This node's outbox worker: messages always (to the configured gateway or the local stand-in),
 * the registry reporter and the registry import when `YEYAK_REGISTRY_URL` is set, and the
 * day-before reminder scheduler. Without a registry its jobs wait as pending, never lost.
 */
export function createOutboxWorker(ctx: Ctx, options: OutboxWorkerOptions = {}): OutboxWorker {
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
