/**
 * Runs stand-ins for the certificate services (one OpenID Connect provider per name, on
 * 127.0.0.1) for local demos, and prints the configuration to start Yeyak with.
 *
 *   npx tsx scripts/oidc-stand-in.ts [--providers naver,kakao,pass] [--public-url http://localhost:3000]
 *                                    [--port 4400] [--latency-ms 150]
 *
 * Every stand-in knows the same demo people with the same CI, so one person signing in through
 * Naver and then Kakao is one person in Yeyak. Sign in at the provider's page by picking a person.
 * Stop with Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { startOidcStandIn, type OidcStandIn, type StandInAccount } from '../test/support/oidc-stand-in.ts';

const { values } = parseArgs({
  options: {
    providers: { type: 'string', default: 'naver,kakao,pass' },
    'public-url': { type: 'string', default: process.env.YEYAK_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? '3000'}` },
    port: { type: 'string', default: '0' },
    'latency-ms': { type: 'string', default: '0' },
  },
});

const DEMO_PEOPLE: StandInAccount[] = [
  { id: 'kim', ci: 'demo-ci-kim-younghee', name: '김영희', birthdate: '1962-03-01', gender: 'female', phone_number: '+82 10-2222-3333' },
  { id: 'park', ci: 'demo-ci-park-cheolsu', name: '박철수', birthdate: '1975-07-19', gender: 'male', phone_number: '+82 10-4444-5555' },
  { id: 'lee', ci: 'demo-ci-lee-minji', name: '이민지', birthdate: '1998-11-30', gender: 'female', phone_number: '+82 10-6666-7777' },
];

const publicUrl = new URL(values['public-url']).origin;
const basePort = Number(values.port);
const latencyMs = Number(values['latency-ms']);
const names = values.providers.split(',').map((n) => n.trim()).filter(Boolean);

const running: OidcStandIn[] = [];
const config: Record<string, { issuer: string; clientId: string; clientSecret: string }> = {};
for (const [i, name] of names.entries()) {
  const standIn = await startOidcStandIn({
    redirectUris: [`${publicUrl}/api/v1/identity/oidc/${name}/callback`],
    accounts: DEMO_PEOPLE,
    port: basePort === 0 ? 0 : basePort + i,
    latencyMs,
  });
  running.push(standIn);
  config[name] = standIn.providerConfig;
}

console.log(`Stand-in providers are up (${names.join(', ')}). Start Yeyak with:\n`);
console.log(`YEYAK_PUBLIC_URL=${publicUrl} \\`);
if (publicUrl.startsWith('http:')) console.log('YEYAK_SECURE_COOKIES=0 \\');
console.log(`YEYAK_OIDC_PROVIDERS='${JSON.stringify(config)}' \\`);
console.log('npm start\n');
console.log(`Then POST ${publicUrl}/api/v1/identity/oidc/<provider>/start from the browser and open its authorizationUrl.`);
console.log(`Demo people: ${DEMO_PEOPLE.map((p) => `${p.id} (${p.birthdate})`).join(', ')}`);

const stop = async () => {
  await Promise.all(running.map((s) => s.close()));
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
