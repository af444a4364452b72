import type { ClusterState } from '../../deploy/cluster/processes.ts';
import { defaultShape } from '../../load/lib/crowd-plan.ts';
import type { OpeningNightOptions } from '../../load/lib/opening-night-run.ts';
import { clusterSystem } from './cluster-system.ts';

/**
 * An opening-night crowd that keeps arriving at a steady pace for `spanSeconds` through the
 * topology's nginx (no pre-queue, no spike), admitted at twice its arrival rate so the queue stays
 * short and faults meet bookings, from `addresses` loopback addresses (behind the balancer the crowd
 * is not one address's sign-ins). The chaos suite and the detection run both drive it.
 */
export function steadyCrowd(o: { people: number; spanSeconds: number; state: ClusterState; workers: number; connections: number; addresses: number; minAdmitRate: number }): Omit<OpeningNightOptions, 'during' | 'log'> {
  const shape = { ...defaultShape(), prequeueShare: 0, spikeShare: 0, steadySeconds: o.spanSeconds, prequeueSeconds: 5 };
  const eligiblePerSecond = (o.people * (1 - shape.ineligibleShare)) / o.spanSeconds;
  return {
    people: o.people,
    workers: o.workers,
    connections: o.connections,
    apps: 3,
    scaleOut: true,
    shape,
    admission: { mode: 'adaptive', ratePerSecond: Math.max(o.minAdmitRate, Math.ceil(2 * eligiblePerSecond)), maxActive: 20_000 },
    doseShare: 1,
    minPollSeconds: 0.5,
    maxPollSeconds: 5,
    soldOutPatienceSeconds: 30,
    maxSecondsAfterOpening: o.spanSeconds + 120,
    system: async () => clusterSystem(o.state),
    localAddresses: Array.from({ length: o.addresses }, (_, i) => `127.3.0.${i + 1}`),
  };
}
