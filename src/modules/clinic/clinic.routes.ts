import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Ctx } from '../../context.ts';
import { DateString, errorResponses } from '../../http/schemas.ts';
import { operatorOf, requireOperator } from '../operator/index.ts';
import { appointmentsCsv } from './domain/appointments-csv.ts';
import { listAppointments, publishLeftovers, recordOutcome, reportStock, stockView } from './clinic.service.ts';

const Vaccine = Type.String({ minLength: 1, maxLength: 50, pattern: '^[^\\x00-\\x1f]+$' });
const Doses = Type.Integer({ minimum: 0, maximum: 100_000 });

const Appointment = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('booking'), Type.Literal('leftover')]),
  time: Type.Union([Type.String(), Type.Null()]),
  dose: Type.Union([Type.Integer(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  campaignId: Type.Union([Type.String(), Type.Null()]),
  vaccine: Type.String(),
  personMaskedName: Type.String(),
  birthYear: Type.String(),
  status: Type.String(),
});

const StockView = Type.Object({
  institutionId: Type.String(),
  stock: Type.Array(Type.Object({ vaccine: Type.String(), doses: Type.Integer(), source: Type.String(), reportedAt: Type.String() })),
});

/**
 * The clinic portal (`clinic_staff`, bound to one clinic by the token): the day's list, a dose
 * given or a no-show, stock, and today's leftover doses. Every write is audited.
 */
export const clinicRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const staffOnly = requireOperator(ctx, ['clinic_staff']);

  app.get(
    '/api/v1/clinic/appointments',
    {
      onRequest: staffOnly,
      schema: {
        tags: ['clinic'],
        querystring: Type.Object({ date: Type.Optional(DateString) }),
        response: { 200: Type.Object({ institutionId: Type.String(), date: Type.String(), appointments: Type.Array(Appointment) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => listAppointments(ctx, operatorOf(request), request.query.date),
  );

  app.get(
    '/api/v1/clinic/appointments.csv',
    {
      onRequest: staffOnly,
      schema: { tags: ['clinic'], querystring: Type.Object({ date: Type.Optional(DateString) }), response: { 200: Type.String(), ...errorResponses(400, 401, 403) } },
    },
    async (request, reply) => {
      const list = await listAppointments(ctx, operatorOf(request), request.query.date);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="appointments-${list.institutionId}-${list.date}.csv"`)
        .send(appointmentsCsv(list.appointments));
    },
  );

  for (const [path, outcome] of [['given', 'given'], ['no-show', 'no_show']] as const) {
    app.post(
      `/api/v1/clinic/appointments/:appointmentId/${path}`,
      {
        onRequest: staffOnly,
        schema: {
          tags: ['clinic'],
          params: Type.Object({ appointmentId: Type.String({ maxLength: 64 }) }),
          response: { 200: Type.Object({ id: Type.String(), status: Type.String(), recordedAt: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => recordOutcome(ctx, operatorOf(request), request.params.appointmentId, outcome),
    );
  }

  app.get(
    '/api/v1/clinic/stock',
    { onRequest: staffOnly, schema: { tags: ['clinic'], response: { 200: StockView, ...errorResponses(401, 403) } } },
    async (request) => stockView(ctx, operatorOf(request).institutionId ?? ''),
  );

  app.post(
    '/api/v1/clinic/stock',
    {
      onRequest: staffOnly,
      schema: { tags: ['clinic'], body: Type.Object({ vaccine: Vaccine, doses: Doses }, { additionalProperties: false }), response: { 200: StockView, ...errorResponses(400, 401, 403) } },
    },
    async (request) => reportStock(ctx, operatorOf(request), request.body.vaccine, request.body.doses),
  );

  app.post(
    '/api/v1/clinic/leftovers',
    {
      onRequest: staffOnly,
      schema: {
        tags: ['clinic'],
        body: Type.Object({ vaccine: Vaccine, doses: Doses }, { additionalProperties: false }),
        response: {
          200: Type.Object({ offerId: Type.String(), institutionId: Type.String(), date: Type.String(), vaccine: Type.String(), doses: Type.Integer(), booked: Type.Integer(), remaining: Type.Integer() }),
          ...errorResponses(400, 401, 403, 409),
        },
      },
    },
    async (request) => publishLeftovers(ctx, operatorOf(request), request.body.vaccine, request.body.doses),
  );
};
