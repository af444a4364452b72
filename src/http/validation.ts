import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true, ...options });
  addFormats.default(ajv);
  return ajv;
}

// Bodies are taken as sent: a string where a number belongs is an error, not something to coerce.
const bodyAjv = makeAjv({ coerceTypes: false, removeAdditional: false });
// Query strings and path parameters are text by nature, so they are coerced to the schema's types.
const textAjv = makeAjv({ coerceTypes: 'array', removeAdditional: false });

/** Picks the validator for the part of the request a schema describes. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};
