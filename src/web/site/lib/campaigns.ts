import { api } from '../../shared/api.ts';

/** A campaign as `GET /api/v1/campaigns` describes it. */
export interface CampaignInfo {
  id: string;
  name: string;
  cohort: { bornFrom: string; bornTo: string };
  vaccine: { name: string; doses: number; intervalDays: number };
  queueOpensAt: string;
  windows: { id: string; kind: string; opensAt: string; closesAt: string; birthDayDigits: number[] | null; bornFrom: string | null; bornTo: string | null }[];
  proxyAllowed: boolean;
}

export function loadCampaigns(): Promise<CampaignInfo[]> {
  return api<CampaignInfo[]>('GET', '/api/v1/campaigns');
}

export function loadCampaign(id: string): Promise<CampaignInfo> {
  return api<CampaignInfo>('GET', `/api/v1/campaigns/${encodeURIComponent(id)}`);
}

/** A booking as the API returns it. */
export interface BookingInfo {
  id: string;
  code: string;
  status: string;
  campaignId: string;
  personMaskedName: string;
  doses: { dose: number; institutionId: string; date: string; time: string }[];
}
