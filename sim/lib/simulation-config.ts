/**
 * What a national simulation run is: the crowd, the campaign's admission policy, the modelled
 * booking path, and the people's behaviour once admitted. Defaults are the national scale of
 * BRIEF §6; `shortConfig` is the CI version (100,000 people).
 */
import type { AdmissionPolicy } from '../../src/modules/campaigns/campaign.ts';
import type { BookingPathConfig } from './booking-path-model.ts';
import type { CrowdConfig } from './crowd.ts';

export interface SimulationConfig {
  crowd: CrowdConfig;
  admission: AdmissionPolicy;
  bookingPath: BookingPathConfig;
  /** Doses on sale tonight. */
  doses: number;
  /** Seconds an admitted person spends searching clinics and choosing a slot before booking. */
  thinkSeconds: [number, number];
  /** Clinic searches per admitted person (requests counted; they go through the admission gate). */
  searchesPerPerson: number;
  /** A failed booking is retried after this long, up to this many attempts in all. */
  retryDelaySeconds: number;
  maxBookingAttempts: number;
  /** Admission lifetime (the app's YEYAK_ADMISSION_TTL_SECONDS). */
  admissionTtlSeconds: number;
  /** Share of people who press "admit me" once before their turn (they must get 425). */
  earlyProbeShare: number;
  /** The run stops this long after the opening even if people are still waiting. */
  maxSecondsAfterOpening: number;
}

/**
 * BRIEF §6: 20 million eligible, about 10 million requests in the first minute — read as requests
 * that do work (identity, join, admission, search, booking): 30% of the eligible come on the night,
 * 45% of them in the spike. Status polls come on top; they read one cacheable document.
 */
export function nationalConfig(): SimulationConfig {
  return {
    crowd: {
      eligible: 20_000_000,
      turnout: 0.3,
      ineligibleShare: 0.25,
      prequeueSeconds: 3600,
      prequeueShare: 0.3,
      spikeShare: 0.45,
      spikeMeanSeconds: 20,
      tailMeanSeconds: 1800,
      deviceWeights: [0.5, 0.3, 0.2],
      abandonShare: 0.1,
      patienceMeanSeconds: 1800,
      cancelShare: 0.02,
      seed: 2021,
    },
    // A scaled-out deployment: the operator allows up to 3,000 admissions a second, the adaptive
    // controller finds what the booking path takes.
    admission: { mode: 'adaptive', ratePerSecond: 3000, maxActive: 200_000 },
    bookingPath: { capacityPerSecond: 2000, failureRate: 0.002, baseLatencyMs: 80 },
    doses: 4_500_000,
    thinkSeconds: [20, 90],
    searchesPerPerson: 3,
    retryDelaySeconds: 2,
    maxBookingAttempts: 3,
    admissionTtlSeconds: 600,
    earlyProbeShare: 0.05,
    maxSecondsAfterOpening: 6 * 3600,
  };
}

/** The CI version: 100,000 people with the same shape, a booking path scaled down alike. */
export function shortConfig(): SimulationConfig {
  const national = nationalConfig();
  return {
    ...national,
    crowd: { ...national.crowd, eligible: 333_334, prequeueSeconds: 600 },
    admission: { mode: 'adaptive', ratePerSecond: 400, maxActive: 20_000 },
    bookingPath: { ...national.bookingPath, capacityPerSecond: 250, failureRate: 0.01 },
    doses: 80_000,
    maxSecondsAfterOpening: 3 * 3600,
  };
}
