/**
 * Where the person is in the booking journey, carried in the address (so a reload or the back
 * button never loses it): `c` campaign, `d` dependent booked for, `change` booking being moved,
 * `i` clinic, `date`, `time`. Credentials never appear here; they are HttpOnly cookies.
 */
export interface Flow {
  campaignId: string | null;
  dependentId: string | null;
  changeBookingId: string | null;
  institutionId: string | null;
  date: string | null;
  time: string | null;
}

export function currentFlow(): Flow {
  const q = new URLSearchParams(location.search);
  return { campaignId: q.get('c'), dependentId: q.get('d'), changeBookingId: q.get('change'), institutionId: q.get('i'), date: q.get('date'), time: q.get('time') };
}

/** A link to another step, keeping the journey (campaign, dependent, change) and adding `extra`. */
export function flowHref(path: string, extra: Record<string, string | null | undefined> = {}, flow: Flow = currentFlow()): string {
  const q = new URLSearchParams();
  const put = (k: string, v: string | null | undefined) => {
    if (v) q.set(k, v);
  };
  put('c', flow.campaignId);
  put('d', flow.dependentId);
  put('change', flow.changeBookingId);
  for (const [k, v] of Object.entries(extra)) put(k, v);
  const query = q.toString();
  return query ? `${path}?${query}` : path;
}

/** The sign-in page, coming back here afterwards. */
export function signInHref(): string {
  return `/sign-in/?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** A clinic the person picked, remembered for the next steps' headings (the API lists clinics only by search). */
export interface ClinicNote {
  id: string;
  name: string;
  address: string;
}

export function rememberClinic(clinic: ClinicNote): void {
  try {
    sessionStorage.setItem(`yeyak.clinic.${clinic.id}`, JSON.stringify({ id: clinic.id, name: clinic.name, address: clinic.address }));
  } catch {
    // Storage full or off: the steps show the clinic's id instead of its name.
  }
}

export function recalledClinic(id: string): ClinicNote {
  try {
    const raw = sessionStorage.getItem(`yeyak.clinic.${id}`);
    if (raw) return JSON.parse(raw) as ClinicNote;
  } catch {
    // fall through
  }
  return { id, name: id, address: '' };
}
