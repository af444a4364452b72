import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * A body the route accepts but does not require, checked by its handler: for openapi.json only
     * (see `optionalBodyDocs`).
     */
    optionalBody?: object;
  }
}

/**
 * openapi.json for the routes whose body is optional: joining the queue (`{dependentId?}`) and
 * pausing it (`{reason?}`) need none. Fastify would refuse a request without a body if the
 * route's schema had one, so those routes check the body themselves and name its schema as
 * `optionalBody`. The document shows it as a request body that is not required.
 */
export function optionalBodyDocs(): Pick<FastifyDynamicSwaggerOptions, 'transform' | 'transformObject'> {
  const optional = new Set<string>();
  return {
    transform: ({ schema, url, route }) => {
      if (!schema?.optionalBody) return { schema, url };
      const { optionalBody, ...rest } = schema;
      for (const method of [route.method].flat()) optional.add(`${method.toLowerCase()} ${url.replace(/:(\w+)/g, '{$1}')}`);
      return { schema: { ...rest, body: optionalBody }, url };
    },
    transformObject: (documentObject) => {
      // Yeyak documents OpenAPI 3 only (app.ts), never Swagger 2.
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
      const document = documentObject.openapiObject;
      const paths = (document.paths ?? {}) as Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
      for (const key of optional) {
        const [method, path] = key.split(' ') as [string, string];
        const operation = paths[path]?.[method];
        if (operation?.requestBody) operation.requestBody.required = false;
      }
      return document;
    },
  };
}
