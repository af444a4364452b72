import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { NEVER_SHED } from './load-shedding.ts';
import { optionalBodyDocs } from './optional-body-docs.ts';

/** Marks a body schema `[JSON array] | string` whose string is a `text/csv` upload (see `csvOrJsonBody`). */
export const CSV_UPLOAD = 'x-yeyak-csv-upload';

type Json = Record<string, unknown>;
type Operation = { requestBody?: { content?: Record<string, { schema?: Json }> }; responses?: Record<string, unknown>; security?: Record<string, unknown>[] };

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Rewrites a JSON Schema (draft 2019, as TypeBox writes it) into OpenAPI 3.0's dialect, in place:
 * a numeric `exclusiveMinimum` becomes `minimum` with `exclusiveMinimum: true` (and the same for
 * maximum), `const` becomes a one-value `enum`, and `{type: 'null'}` in an `anyOf` becomes
 * `nullable: true` on the union.
 */
function toOpenApi30Schema(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(toOpenApi30Schema);
  if (!isObject(schema)) return;
  for (const [bound, flag] of [['minimum', 'exclusiveMinimum'], ['maximum', 'exclusiveMaximum']] as const) {
    if (typeof schema[flag] === 'number') {
      schema[bound] = schema[flag];
      schema[flag] = true;
    }
  }
  if ('const' in schema) {
    schema.enum = [schema.const];
    delete schema.const;
  }
  if (Array.isArray(schema.anyOf) && schema.anyOf.some((s) => isObject(s) && s.type === 'null')) {
    schema.anyOf = schema.anyOf.filter((s) => !(isObject(s) && s.type === 'null'));
    schema.nullable = true;
    if ((schema.anyOf as unknown[]).length === 1) {
      Object.assign(schema, (schema.anyOf as Json[])[0]);
      delete schema.anyOf;
    }
  }
  for (const value of Object.values(schema)) toOpenApi30Schema(value);
}

/** The error body of every refusal (API.md), as openapi.json shows it for the statuses added here. */
function errorResponse(document: Json, description: string): Json {
  const example = Object.values((document.paths ?? {}) as Record<string, Record<string, Operation>>)
    .flatMap((operations) => Object.values(operations))
    .map((op) => op.responses?.['404'] as Json | undefined)
    .find((r) => r !== undefined);
  return { ...(example ?? {}), description };
}

/**
 * What every route answers though its own schema does not say it: the edge's 400 for unclean text
 * (`clean-text.ts`, any route), 414 for a path parameter past its limit (routes with one), 413 and
 * 415 for a body too large or of another type (routes with one), 401 where a credential is needed,
 * 403 where it is staff's (a role) or an admission (another person's or campaign's), and 503 when
 * the node sheds load or a store it needs is unavailable (any route but the few never shed). `test/support/documented-statuses.ts`
 * checks every answer the suites get against this document.
 */
function addEdgeStatuses(document: Json): void {
  const bad = errorResponse(document, 'The request is not valid: `YEYAK_ERR_VALIDATION` (a value the schema refuses, U+0000, a lone surrogate, bytes that are not UTF-8).');
  const long = errorResponse(document, 'A path parameter is too long: `YEYAK_ERR_URI_TOO_LONG`.');
  const tooLarge = errorResponse(document, 'The body is larger than the route takes: `YEYAK_ERR_BODY_TOO_LARGE`.');
  const mediaType = errorResponse(document, 'The body is of a type the route does not take: `YEYAK_ERR_UNSUPPORTED_MEDIA_TYPE`.');
  const unauthenticated = errorResponse(document, 'No valid credential of the kind the route needs.');
  const forbidden = errorResponse(document, 'A staff credential whose role may not do this: `YEYAK_ERR_FORBIDDEN`.');
  const mismatch = errorResponse(document, 'The admission is another person’s or another campaign’s: `YEYAK_ERR_ADMISSION_MISMATCH`.');
  const unavailable = errorResponse(document, 'The node sheds load, or a store it needs is unavailable: `YEYAK_ERR_UNAVAILABLE` (or the queue’s `YEYAK_ERR_QUEUE_UNAVAILABLE`), with `Retry-After` in seconds.');
  for (const [path, operations] of Object.entries((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const op of Object.values(operations)) {
      op.responses ??= {};
      op.responses['400'] ??= bad;
      if (path.includes('{')) op.responses['414'] ??= long;
      if (op.requestBody) {
        op.responses['413'] ??= tooLarge;
        op.responses['415'] ??= mediaType;
      }
      const credentials = (op.security ?? []).flatMap((requirement) => Object.keys(requirement));
      if (credentials.length > 0) op.responses['401'] ??= unauthenticated;
      if (credentials.includes('operator')) op.responses['403'] ??= forbidden;
      if (credentials.includes('admission')) op.responses['403'] ??= mismatch;
      if (!NEVER_SHED.has(path)) op.responses['503'] ??= unavailable;
    }
  }
}

/** A CSV-or-JSON upload's body: a JSON array as `application/json`, the file as `text/csv`. */
function describeCsvUploads(document: Json): void {
  for (const operations of Object.values((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const op of Object.values(operations)) {
      const content = op.requestBody?.content;
      const schema = content?.['application/json']?.schema;
      if (!content || !schema?.[CSV_UPLOAD]) continue;
      const array = (schema.anyOf as Json[]).find((s) => s.type === 'array');
      content['application/json'] = { schema: { ...array, description: schema.description } };
      content['text/csv'] = { schema: { type: 'string', description: 'The same records as a CSV file with a header row (UTF-8).' } };
    }
  }
}

/**
 * openapi.json as OpenAPI 3.0.3 (validated in `test/openapi-document.test.ts`): optional bodies
 * (`optional-body-docs.ts`), CSV uploads, the edge's statuses, and schemas in 3.0's dialect.
 */
export function openApiDocs(): Pick<FastifyDynamicSwaggerOptions, 'transform' | 'transformObject'> {
  const optional = optionalBodyDocs();
  return {
    transform: optional.transform,
    transformObject: (documentObject) => {
      const document = optional.transformObject!(documentObject) as unknown as Json;
      describeCsvUploads(document);
      addEdgeStatuses(document);
      toOpenApi30Schema(document.paths);
      toOpenApi30Schema(document.components);
      return document as never;
    },
  };
}
