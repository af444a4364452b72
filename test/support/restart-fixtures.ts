import type { FastifyInstance } from 'fastify';
import { ok, openCampaign } from './fixtures.ts';

export { ok };

export const OPERATOR_KEY_HEADER = (key: string) => ({ authorization: `Bearer ${key}` });

/** A campaign with one clinic and capacity, created through the operator API of `app`. */
export async function seedCampaignOn(app: FastifyInstance, operator: Record<string, string>, id: string, admission: { ratePerSecond: number }) {
  await ok(app, 'POST', '/api/v1/admin/campaigns', openCampaign(id, { admission: { mode: 'fixed', ratePerSecond: admission.ratePerSecond, maxActive: 1000 } }), operator);
  await ok(app, 'POST', '/api/v1/admin/institutions', [{ id: 'R1', name: '재시작의원', address: '서울 중구 1', sido: '서울특별시', sigungu: '중구', lat: 37.56, lng: 126.97 }], operator);
  await ok(app, 'POST', `/api/v1/admin/campaigns/${id}/capacity`, [{ institutionId: 'R1', date: '2026-08-20', time: '09:00', doses: 10 }], operator);
}
