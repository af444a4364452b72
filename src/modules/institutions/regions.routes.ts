import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listSido, listSigungu } from './reference/regions.ts';

const RegionsView = Type.Array(
  Type.Object({
    code: Type.String(),
    name: Type.String(),
    nameEn: Type.String(),
    sigungu: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.String(), lat: Type.Number(), lng: Type.Number() })),
  }),
);

/**
 * The provinces and municipalities with their centroids (reference data, the same for everyone):
 * the site's region pickers and "near a place I type" use it without any outside map service.
 */
export const regionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/regions', { schema: { tags: ['public'], response: { 200: RegionsView } } }, async (_request, reply) => {
    const sigungu = listSigungu();
    reply.header('cache-control', 'public, max-age=86400');
    return listSido().map((s) => ({
      ...s,
      sigungu: sigungu.filter((g) => g.sidoCode === s.code).map(({ code, name, nameEn, lat, lng }) => ({ code, name, nameEn, lat, lng })),
    }));
  });
};
