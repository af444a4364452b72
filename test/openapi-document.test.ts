import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';

type Operation = { responses: Record<string, unknown>; security?: Record<string, unknown>[]; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } };

/**
 * Issue 23: openapi.json is a valid OpenAPI 3.0.3 document (an independent validator of the
 * specification's own schema), in 3.0's dialect, and says what each route can answer at the edge.
 */
describe('openapi.json', () => {
  let t: TestApp;
  let document: { openapi: string; paths: Record<string, Record<string, Operation>> };
  const operations = () => Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

  beforeAll(async () => {
    t = await startTestApp();
    document = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  });
  afterAll(() => t?.close());

  it('is valid OpenAPI 3.0.3', async () => {
    expect(document.openapi).toBe('3.0.3');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('writes bounds and nulls in 3.0’s form', () => {
    const text = JSON.stringify(document);
    expect(text).not.toMatch(/"exclusiveM(in|ax)imum":\d/);
    expect(text).not.toContain('"type":"null"');
    expect(text).not.toContain('"const":');
    const rate = (document.paths['/api/v1/admin/campaigns']!.post!.requestBody!.content['application/json']!.schema as { properties: { admission: { properties: { ratePerSecond: unknown } } } }).properties.admission.properties.ratePerSecond;
    expect(rate).toMatchObject({ minimum: 0, exclusiveMinimum: true });
  });

  it('documents the edge’s answers: 400 everywhere, 414 with a path parameter, 401 with a credential, 403 for staff', () => {
    expect(operations().length).toBeGreaterThan(60);
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      expect(op.responses['400'], where).toBeDefined();
      if (path.includes('{')) expect(op.responses['414'], where).toBeDefined();
      const kinds = (op.security ?? []).flatMap((s) => Object.keys(s));
      if (kinds.length > 0) expect(op.responses['401'], where).toBeDefined();
      if (kinds.includes('operator')) expect(op.responses['403'], where).toBeDefined();
    }
  });

  it('describes the CSV uploads as text/csv beside their JSON array', () => {
    for (const path of ['/api/v1/admin/institutions', '/api/v1/admin/campaigns/{campaignId}/capacity', '/api/v1/admin/campaigns/{campaignId}/priority-list']) {
      const content = document.paths[path]!.post!.requestBody!.content;
      expect(Object.keys(content).sort(), path).toEqual(['application/json', 'text/csv']);
      expect(content['application/json']!.schema.type, path).toBe('array');
      expect(content['text/csv']!.schema.type, path).toBe('string');
    }
  });
});
