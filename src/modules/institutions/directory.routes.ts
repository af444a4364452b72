import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';
import { institutionDirectory } from './institutions.repository.ts';
import { listSido, listSigungu } from './reference/regions.ts';

const RegionsView = Type.Array(
  Type.Object({
    code: Type.String(),
    name: Type.String(),
    nameEn: Type.String(),
    sigungu: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.String(), lat: Type.Number(), lng: Type.Number() })),
  }),
);

const MAX_IDS = 20;

/**
 * Public reference facts for the site, the same for everyone and cacheable: the provinces and
 * municipalities with their centroids (region pickers, "near a place I type", without any outside
 * map service), and clinics' names and addresses by id (for "my bookings"; never availability,
 * which stays behind the booking gate).
 */
export const directoryRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get('/api/v1/regions', { schema: { tags: ['public'], response: { 200: RegionsView } } }, async (_request, reply) => {
    const sigungu = listSigungu();
    reply.header('cache-control', 'public, max-age=86400');
    return listSido().map((s) => ({
      ...s,
      sigungu: sigungu.filter((g) => g.sidoCode === s.code).map(({ code, name, nameEn, lat, lng }) => ({ code, name, nameEn, lat, lng })),
    }));
  });

  app.get(
    '/api/v1/institutions',
    {
      schema: {
        tags: ['public'],
        description: `Clinics' names and addresses by id (at most ${MAX_IDS}, comma-separated); unknown ids are left out.`,
        querystring: Type.Object({ ids: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64})*$' }) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), address: Type.String(), sido: Type.String(), sigungu: Type.String() })), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const ids = [...new Set(request.query.ids.split(','))];
      if (ids.length > MAX_IDS) throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: [`at most ${MAX_IDS} ids`] } });
      reply.header('cache-control', 'public, max-age=300');
      return institutionDirectory(ctx.db, ids);
    },
  );
};
