import type { CampaignWindow } from './domain/windows.ts';

export interface AdmissionPolicy {
  mode: 'adaptive' | 'fixed';
  ratePerSecond: number;
  maxActive: number;
}

/** A vaccination campaign: who may book, which vaccine, and when (windows are instants). */
export interface Campaign {
  id: string;
  name: string;
  cohort: { bornFrom: string; bornTo: string };
  vaccine: { name: string; doses: number; intervalDays: number };
  queueOpensAt: Date;
  windows: CampaignWindow[];
  proxyAllowed: boolean;
  admission: AdmissionPolicy;
  /**
   * The probe's own campaign (absent = false): hidden from every public list, joined only by
   * synthetic persons, its bookings never counted, reported or messaged (`docs/monitoring.md`).
   */
  synthetic?: boolean;
}

export const DEFAULT_ADMISSION: AdmissionPolicy = { mode: 'adaptive', ratePerSecond: 200, maxActive: 20_000 };

/** The rotation windows, in the order their shares are numbered. */
export function rotationWindows(campaign: Campaign): CampaignWindow[] {
  return campaign.windows
    .filter((w) => w.kind === 'rotation')
    .sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime() || a.id.localeCompare(b.id));
}
