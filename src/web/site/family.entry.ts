// Proxy booking: a verified adult registers a family member and queues and books for them, in
// the campaigns that allow it. The place in the queue and the booking are the family member's.
import { api } from '../shared/api.ts';
import { fill, inLang } from '../shared/i18n.ts';
import { loadCampaigns, type CampaignInfo } from './lib/campaigns.ts';
import { readIdentity } from './lib/identity-fields.ts';
import { showProblem } from './lib/next-step.ts';
import { busyNotice, byId, el, startPage } from './lib/page.ts';

const EN: Record<string, string> = {
  title: 'Book for family — Yeyak',
  h1: 'Book for a family member',
  intro: 'In campaigns that allow it (e.g. people over 60), a son or daughter can book for a parent. The booking is in the family member’s name, and so is the place in the queue.',
  'list.h': 'Your family members',
  'add.h': 'Register a family member',
  'f.name': 'Their name',
  'f.birth': 'Their birth date, 8 digits (e.g. 19450301)',
  'f.phone': 'Their mobile number (they get the booking message)',
  'f.relationship': 'They are your',
  'rel.parent': 'Parent',
  'rel.grandparent': 'Grandparent',
  'rel.spouse': 'Spouse',
  'rel.child': 'Child',
  'rel.sibling': 'Brother or sister',
  'rel.other': 'Other',
  'f.add': 'Register',
};

const M = {
  ko: { none: '등록한 가족이 없습니다.', book: '{campaign}: {name}님 대신 예약', noProxy: '지금 대리 예약을 허용하는 예약 일정이 없습니다.', added: '{name}님을 등록했습니다.', busy: '접속자가 많아 {s}초 뒤 자동으로 다시 시도합니다.' },
  en: { none: 'No family member registered yet.', book: '{campaign}: book for {name}', noProxy: 'No campaign allows booking for others right now.', added: '{name} has been registered.', busy: 'Many people are connected; trying again in {s} s.' },
};

interface Dependent {
  id: string;
  maskedName: string;
  birthDate: string;
  relationship: string;
}

const onBusy = busyNotice((s) => fill(inLang(M).busy, { s }));
const onlyCampaign = new URLSearchParams(location.search).get('c');
let dependents: Dependent[] = [];
let campaigns: CampaignInfo[] = [];

function draw(): void {
  const m = inLang(M);
  const proxyCampaigns = campaigns.filter((c) => c.proxyAllowed && (!onlyCampaign || c.id === onlyCampaign));
  const list = byId('dependents');
  list.replaceChildren(
    ...dependents.map((d) => {
      const li = el('li', undefined, 'card');
      li.append(el('h3', `${d.maskedName} (${d.birthDate})`));
      for (const c of proxyCampaigns) {
        const go = el('a', fill(m.book, { campaign: c.name, name: d.maskedName }), 'button wide');
        go.href = `/waiting.html?c=${encodeURIComponent(c.id)}&d=${encodeURIComponent(d.id)}`;
        li.append(go);
      }
      return li;
    }),
  );
  if (dependents.length === 0) list.append(el('li', m.none));
  if (proxyCampaigns.length === 0) list.append(el('li', m.noProxy, 'notice'));
}

async function add(event: Event): Promise<void> {
  event.preventDefault();
  const identity = readIdentity('dep-');
  if (!identity) return;
  try {
    const relationship = byId<HTMLSelectElement>('dep-relationship').value;
    const { dependent } = await api<{ dependent: Dependent }>('POST', '/api/v1/me/dependents', { body: { ...identity, relationship }, onBusy });
    dependents = [...dependents.filter((d) => d.id !== dependent.id), dependent];
    byId<HTMLFormElement>('add-form').reset();
    draw();
    byId('status').textContent = fill(inLang(M).added, { name: dependent.maskedName });
  } catch (error) {
    showProblem(error);
  }
}

startPage(EN, draw);
byId('add-form').addEventListener('submit', (e) => void add(e));
Promise.all([api<Dependent[]>('GET', '/api/v1/me/dependents', { onBusy }), loadCampaigns()])
  .then(([d, c]) => {
    dependents = d;
    campaigns = c;
    draw();
  })
  .catch(showProblem)
  .finally(() => {
    byId('main').dataset.ready = '1';
  });
