import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('the logger', () => {
  it('logs a database error without the values it carries (detail, parameters, query), its cause too', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line) => void lines.push(line) });
    const personKey = 'pk-4PNXaU1aF3d9';
    const database = Object.assign(new Error('duplicate key value violates unique constraint "queue_places_pkey"'), {
      code: '23505',
      constraint: 'queue_places_pkey',
      detail: `Key (campaign_id, person_key)=(covid, ${personKey}) already exists.`,
      parameters: ['covid', personKey],
      query: `INSERT INTO queue_places VALUES ('covid', '${personKey}')`,
      where: `SQL statement "INSERT … ${personKey}"`,
    });
    log.error({ err: new Error('the write failed', { cause: database }) }, 'queue journal write failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(personKey);
    const { err } = JSON.parse(lines[0]!);
    expect(err.message).toMatch(/^the write failed/);
    expect(err.cause).toMatchObject({ message: 'duplicate key value violates unique constraint "queue_places_pkey"', code: '23505', constraint: 'queue_places_pkey' });
  });
});
