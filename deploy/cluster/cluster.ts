/**
 * `npm run cluster -- up|down|status`: the production topology on one machine, from Debian's
 * packages, on loopback (deploy/README.md lists every port and file):
 *
 *   nginx (status cached) → HAProxy (nodes checked on /api/v1/ready) → 3 Yeyak nodes
 *   Redis primary + replica + 3 Sentinels · PostgreSQL primary + standby under Patroni with etcd,
 *   reached through HAProxy · the registry and message gateway stand-ins · Prometheus with the alerts
 *
 * Data lives in YEYAK_CLUSTER_DIR (default: yeyak-cluster in the temporary directory); `down`
 * stops everything and removes it.
 */
import { clusterDir, PORTS } from './layout.ts';
import { clusterDown } from './down.ts';
import { readState } from './processes.ts';
import { clusterStatus } from './status.ts';
import { clusterUp } from './up.ts';

const dir = clusterDir();
const command = process.argv[2];

async function printStatus(): Promise<boolean> {
  const state = readState(dir);
  if (!state) {
    console.log(`no topology in ${dir} (npm run cluster -- up)`);
    return false;
  }
  const parts = await clusterStatus(state);
  const width = Math.max(...parts.map((p) => p.name.length));
  for (const p of parts) console.log(`${p.name.padEnd(width)}  ${String(p.pid).padStart(7)}  ${p.running ? 'running' : 'STOPPED'}  ${p.detail}`);
  return parts.every((p) => p.running);
}

try {
  if (command === 'up') {
    const started = Date.now();
    const state = await clusterUp(dir);
    console.log(`\nup in ${Math.round((Date.now() - started) / 1000)} s, data and logs in ${dir}\n`);
    await printStatus();
    console.log(`\nentry: http://127.0.0.1:${PORTS.nginx}/  (console /console/, clinic portal /clinic/)`);
    console.log(`operator key: YEYAK_OPERATOR_KEY in ${dir}/node.env (${state.nodeEnv.YEYAK_OPERATOR_KEY!.length} characters)`);
    console.log('stop everything: npm run cluster -- down');
  } else if (command === 'down') {
    const stopped = await clusterDown(dir);
    console.log(`stopped ${stopped} parts; removed ${dir}`);
  } else if (command === 'status') {
    process.exitCode = (await printStatus()) ? 0 : 1;
  } else {
    console.error('usage: npm run cluster -- up|down|status');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  if (command === 'up') console.error(`logs: ${dir}/logs; clean up with: npm run cluster -- down`);
  process.exitCode = 1;
}
