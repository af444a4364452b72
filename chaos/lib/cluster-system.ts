import { PORTS } from '../../deploy/cluster/layout.ts';
import type { ClusterState } from '../../deploy/cluster/processes.ts';
import type { RunningSystem } from '../../load/lib/system.ts';

/**
 * The topology of `npm run cluster` as the load run's system under test: the crowd goes through
 * nginx, the operator seeds through it too, and the database checks afterwards read PostgreSQL
 * through HAProxy's primary port. The run leaves the topology running (`down` is the caller's).
 */
export function clusterSystem(state: ClusterState): RunningSystem {
  return {
    mode: 'scale-out',
    origin: `http://127.0.0.1:${PORTS.nginx}`,
    operatorKey: state.nodeEnv.YEYAK_OPERATOR_KEY!,
    // Nodes restart during the run (new pids): their CPU is not what this run reports.
    processes: [],
    serverProcesses: async () => [],
    env: { ...process.env, ...state.nodeEnv },
    stopApps: async () => {},
    cleanUp: async () => {},
  };
}
