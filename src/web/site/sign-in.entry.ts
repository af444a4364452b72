// Sign-in: certificate services (OpenID Connect), a text-message code, or — in the demo and
// tests — the development provider. Afterwards the person goes back where they came from.
import { api, ApiError } from '../shared/api.ts';
import { showError } from '../shared/error-words.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { readIdentity } from './lib/identity-fields.ts';
import { busyNotice, byId, el, startPage } from './lib/page.ts';

const EN: Record<string, string> = {
  title: 'Verify who you are — Yeyak',
  h1: 'Verify who you are',
  intro: 'We check that you are the person booking. Once verified, every device of yours shows the same place in the queue.',
  'oidc.h': 'With a certificate',
  'id.h': 'With a text-message code',
  'f.name': 'Name',
  'f.birth': 'Birth date, 8 digits (e.g. 19660819)',
  'f.phone': 'Mobile number (e.g. 010-1234-5678)',
  'f.mobile': 'Send me a code',
  'f.dev': 'Start with the development sign-in (testing only)',
  'f.code': 'The 6-digit code from the text message',
  'f.verify': 'Verify',
};

const M = {
  ko: {
    provider: '{name} 인증서로 인증',
    names: { naver: '네이버', kakao: '카카오', pass: 'PASS' } as Record<string, string>,
    badCode: '인증번호 6자리 숫자를 입력해 주세요.',
    devCode: '시험용 문자함: 인증번호는 {code} 입니다.',
    busy: '접속자가 많아 {s}초 뒤 자동으로 다시 시도합니다.',
  },
  en: {
    provider: 'Sign in with {name}',
    names: { naver: 'Naver', kakao: 'Kakao', pass: 'PASS' } as Record<string, string>,
    badCode: 'Enter the 6-digit code.',
    devCode: 'Test inbox: the code is {code}.',
    busy: 'Many people are connected; trying again in {s} s.',
  },
};

interface Methods {
  dev: boolean;
  mobile: boolean;
  oidc: string[];
}

const onBusy = busyNotice((s) => fill(inLang(M).busy, { s }));
let methods: Methods = { dev: false, mobile: true, oidc: [] };
let challengeId: string | null = null;

/** Where to go afterwards: a path on this site only (never another host). */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next') ?? '/bookings/';
  return next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : '/bookings/';
}

function done(): void {
  location.assign(nextPath());
}

async function run(work: () => Promise<void>): Promise<void> {
  byId('error').hidden = true;
  try {
    await work();
  } catch (error) {
    showError(byId('error'), error);
  }
}

function drawProviders(): void {
  const m = inLang(M);
  const box = byId('oidc-buttons');
  box.replaceChildren();
  byId('oidc').hidden = methods.oidc.length === 0;
  for (const provider of methods.oidc) {
    const button = el('button', fill(m.provider, { name: m.names[provider] ?? provider }), 'secondary wide');
    button.type = 'button';
    button.addEventListener('click', () =>
      void run(async () => {
        // A provider that cannot be reached is not load shedding: say so at once, and let the person choose.
        const { authorizationUrl } = await api<{ authorizationUrl: string }>('POST', `/api/v1/identity/oidc/${encodeURIComponent(provider)}/start`, { body: { returnTo: nextPath() }, busyRetries: 0 });
        location.assign(authorizationUrl);
      }),
    );
    box.append(button);
  }
}

async function startMobile(event: Event): Promise<void> {
  event.preventDefault();
  const identity = readIdentity();
  if (!identity) return;
  await run(async () => {
    ({ challengeId } = await api<{ challengeId: string }>('POST', '/api/v1/identity/mobile/start', { body: identity, onBusy }));
    byId('code-form').hidden = false;
    byId('code').focus();
    if (methods.dev) await showDevCode(challengeId);
  });
}

/** In the demo the message gateway is a local stand-in: show what the phone would have received. */
async function showDevCode(id: string): Promise<void> {
  try {
    const { code } = await api<{ code: string }>('GET', `/api/v1/identity/mobile/dev-inbox/${id}`);
    const box = byId('dev-code');
    box.textContent = fill(inLang(M).devCode, { code });
    box.hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
}

async function verify(event: Event): Promise<void> {
  event.preventDefault();
  const input = byId<HTMLInputElement>('code');
  const code = input.value.replace(/\D/g, '');
  if (code.length !== 6 || !challengeId) {
    showError(byId('error'), new ApiError(400, 'YEYAK_ERR_OTP_INVALID', inLang(M).badCode));
    return;
  }
  const id = challengeId;
  await run(async () => {
    await api('POST', '/api/v1/identity/mobile/verify', { body: { challengeId: id, code }, onBusy });
    done();
  });
}

async function devSignIn(): Promise<void> {
  const identity = readIdentity();
  if (!identity) return;
  await run(async () => {
    await api('POST', '/api/v1/identity/dev', { body: identity, onBusy });
    done();
  });
}

startPage(EN, drawProviders);
byId('identity-form').addEventListener('submit', (e) => void startMobile(e));
byId('code-form').addEventListener('submit', (e) => void verify(e));
byId('dev-sign-in').addEventListener('click', () => void devSignIn());
api<Methods>('GET', '/api/v1/identity/methods')
  .then((m) => {
    methods = m;
    byId('dev-sign-in').hidden = !m.dev;
    drawProviders();
  })
  .catch((error: unknown) => showError(byId('error'), error))
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
