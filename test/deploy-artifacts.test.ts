import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { generateSignerKey } from '../src/lib/signed-note.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_SHUTDOWN_DRAIN_SECONDS, loadConfig } from '../src/config.ts';
import { nginxConfAt, nginxMain } from '../deploy/cluster/balancer-configs.ts';
import { useTestApp } from './support/test-app.ts';

const ROOT = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const onPath = (binary: string, versionFlag: string) => spawnSync(binary, [versionFlag], { stdio: 'ignore' }).status === 0;

// Plain shapes of the few manifest fields the checks read.
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
  envFrom?: ({ configMapRef?: { name: string } } | { secretRef?: { name: string } })[];
}
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const manifests: Manifest[] = readdirSync(new URL('deploy/kubernetes/', ROOT))
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .flatMap((file) => parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((doc) => doc.toJS() as Manifest));
const one = (kind: string): Manifest => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const deployment = one('Deployment');
const podSpec = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec as {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes: { name: string; emptyDir?: object }[];
};
const container = podSpec.containers[0]!;
const configMap = one('ConfigMap');
const secret = one('Secret');

describe('deploy/kubernetes', () => {
  const t = useTestApp();

  it('probes, the image healthcheck and the balancer checks name routes the app answers', async () => {
    const probes = [container.readinessProbe, container.livenessProbe, container.startupProbe].map((p) => p?.httpGet?.path);
    expect(probes).toEqual(['/api/v1/ready', '/api/v1/health', '/api/v1/health']);
    const dockerHealth = /HEALTHCHECK[\s\S]*?(\/api\/v1\/[a-z]+)/.exec(read('deploy/Dockerfile'))?.[1];
    const haproxyCheck = /http-check send meth GET uri (\S+)/.exec(read('deploy/haproxy/yeyak.cfg'))?.[1];
    for (const path of new Set([...probes, dockerHealth, haproxyCheck])) {
      const response = await t.app.inject({ method: 'GET', url: path! });
      expect(response.statusCode, path).toBe(200);
    }
    // The ports the probes name are the container's.
    expect(container.ports?.map((p) => p.name)).toContain('http');
    expect(one('Service').spec).toMatchObject({ ports: [{ targetPort: 'http' }] });
  });

  it('names only variables src/config.ts reads, and the ConfigMap with the Secret passes its validation', () => {
    const configSource = ['src/config.ts', 'src/config-secrets.ts', 'src/config-proxy.ts', 'src/config-redis.ts'].map(read).join('\n');
    const names = [...Object.keys(configMap.data ?? {}), ...Object.keys(secret.stringData ?? {})];
    for (const name of names) expect(configSource.includes(`'${name}'`) || configSource.includes(`env.${name}`), name).toBe(true);
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual(['DATABASE_URL', 'YEYAK_ENCRYPTION_KEYS', 'YEYAK_LOG_SIGNER_KEY', 'YEYAK_OPERATOR_KEY', 'YEYAK_PERSON_PEPPER', 'YEYAK_SIGNING_KEYS']);
    // Placeholders only: no value in the template is a usable key.
    for (const [name, value] of Object.entries(secret.stringData ?? {})) expect(value, name).toContain('CHANGE-ME');
    // The ConfigMap as it ships, with real-looking keys in place of the placeholders.
    const key = () => randomBytes(32).toString('base64');
    const config = loadConfig({
      ...configMap.data,
      ...secret.stringData,
      YEYAK_SIGNING_KEYS: `k1:${key()}`,
      YEYAK_ENCRYPTION_KEYS: `e1:${key()}`,
      YEYAK_PERSON_PEPPER: key(),
      YEYAK_OPERATOR_KEY: 'x'.repeat(24),
      YEYAK_LOG_SIGNER_KEY: generateSignerKey('test.yeyak/queue-log'),
    });
    expect(config.redisSentinel?.sentinels).toHaveLength(3);
    expect(config.trustProxy).not.toBe(true);
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
  });

  it('drains within the grace period: preStop sleep + the graceful close fit before SIGKILL', () => {
    const command = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(command[0]).toBe('sleep');
    const preStop = Number(command[1]);
    // The close path of src/server.ts: in-flight requests (requestTimeout), then the outbox round
    // in progress (one outside call at most), then the pools; 5 s of margin for the pools and the kubelet.
    const requestTimeout = Number(/requestTimeout: ([\d_]+)/.exec(read('src/server.ts'))?.[1]?.replace(/_/g, '')) / 1000;
    const gatewayTimeout = Number(/timeoutMs = ([\d_]+)/.exec(read('src/modules/notifications/http-message-gateway.ts'))?.[1]?.replace(/_/g, '')) / 1000;
    const registryTimeout = Number(configMap.data?.YEYAK_REGISTRY_TIMEOUT_MS ?? 3000) / 1000;
    expect(requestTimeout).toBeGreaterThan(0);
    expect(preStop).toBeGreaterThanOrEqual(5);
    // The node's own drain after SIGTERM (readiness failing, requests still served) comes first.
    const drain = Number(configMap.data?.YEYAK_SHUTDOWN_DRAIN_SECONDS ?? DEFAULT_SHUTDOWN_DRAIN_SECONDS);
    expect(preStop + drain + requestTimeout + Math.max(gatewayTimeout, registryTimeout) + 5).toBeLessThanOrEqual(podSpec.terminationGracePeriodSeconds);
  });

  it('runs as non-root on a read-only root filesystem, with /tmp the only writable path', () => {
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
    expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(podSpec.volumes.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
    const dockerfile = read('deploy/Dockerfile');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtimeStage).toMatch(/^FROM node:24[\w.-]*/m);
    expect(runtimeStage).toMatch(/^USER (node|[1-9]\d*)$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    // The image runs TypeScript through tsx: it must be a production dependency to survive --omit=dev.
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.dependencies.esbuild).toBeDefined();
  });

  it('needs no dev dependency at run time (the image installs with --omit=dev)', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };
    const dev = Object.keys(pkg.devDependencies);
    const runtime = ['src', 'migrations'].flatMap((top) =>
      (readdirSync(new URL(`${top}/`, ROOT), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `${top}/${f}`),
    );
    expect(runtime.length).toBeGreaterThan(50);
    for (const file of runtime) {
      const imported = [...read(file).matchAll(/(?:from|import)\s*\(?\s*'([^'.][^']*)'/g)].map((m) => m[1]!);
      const devImports = imported.filter((name) => dev.some((d) => name === d || name.startsWith(`${d}/`)));
      expect(devImports, file).toEqual([]);
    }
  });

  it('points the Service, the PodDisruptionBudget and the autoscaler at the Deployment', () => {
    const labels = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    expect(deployment.spec).toMatchObject({ replicas: 3, template: { metadata: { labels } } });
    expect(one('Service').spec).toMatchObject({ selector: labels });
    expect(one('PodDisruptionBudget').spec).toMatchObject({ selector: { matchLabels: labels } });
    const hpa = one('HorizontalPodAutoscaler').spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; metrics: { resource: { name: string } }[] };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(3);
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(['cpu']);
    // At its largest, the Deployment's pools stay within PostgreSQL's max_connections (docs/deploy.md).
    const hpaMax = (one('HorizontalPodAutoscaler').spec as { maxReplicas: number }).maxReplicas;
    const perPod = ['YEYAK_DB_POOL_SIZE', 'YEYAK_DB_BOOKING_POOL_SIZE', 'YEYAK_DB_BACKGROUND_POOL_SIZE'].reduce((n, name) => n + Number(configMap.data?.[name]), 0);
    expect(hpaMax * perPod).toBeLessThanOrEqual(1000);
  });
});

describe('deploy/nginx and deploy/haproxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-deploy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('caches exactly the queue status route', () => {
    const location = /location ~ (\S+) \{[^}]*proxy_cache yeyak_status;/.exec(read('deploy/nginx/yeyak.conf'))?.[1];
    const pattern = new RegExp(location!);
    expect(pattern.test('/api/v1/campaigns/c-2026_flu/queue')).toBe(true);
    for (const other of ['/api/v1/campaigns/c1/queue/tickets', '/api/v1/campaigns/c1/queue/admissions', '/api/v1/campaigns/c1']) expect(pattern.test(other), other).toBe(false);
  });

  it.skipIf(!onPath('nginx', '-v'))('nginx -t accepts deploy/nginx/yeyak.conf', () => {
    writeFileSync(join(dir, 'yeyak.conf'), nginxConfAt(dir));
    writeFileSync(join(dir, 'nginx.conf'), nginxMain(dir, join(dir, 'yeyak.conf')));
    const result = spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { encoding: 'utf8' });
    expect(result.stderr).toContain('test is successful');
    expect(result.status).toBe(0);
  });

  it.skipIf(!onPath('haproxy', '-v'))('haproxy -c accepts deploy/haproxy/yeyak.cfg', () => {
    const result = spawnSync('haproxy', ['-c', '-f', new URL('deploy/haproxy/yeyak.cfg', ROOT).pathname], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toContain('Configuration file is valid');
    expect(result.stdout + result.stderr).not.toContain('[WARNING]');
    expect(result.status).toBe(0);
  });
});
