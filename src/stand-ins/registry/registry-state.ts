/** What the legacy registry holds: clinics, stock, vaccination history and the events it was sent. */

export interface RegistryClinic {
  id: string;
  name: string;
  address: string;
  sido: string;
  sigungu: string;
  lat: number;
  lng: number;
}

export interface RegistryStock {
  clinicId: string;
  vaccine: string;
  doses: number;
  updatedAt: string;
}

export interface RegistryVaccination {
  seq: number;
  personKey: string;
  vaccine: string;
  dose: number;
  administeredOn: string;
}

export interface RegistryEvent {
  key: string;
  type: string;
  body: Record<string, unknown>;
  receivedAt: string;
}

const EVENT_TYPES = ['booking.created', 'booking.changed', 'booking.cancelled', 'dose.administered', 'stock.reported', 'leftover.booked'] as const;

export class RegistryState {
  readonly clinics = new Map<string, RegistryClinic>();
  readonly stock = new Map<string, RegistryStock>();
  readonly vaccinations: RegistryVaccination[] = [];
  /** Events by idempotency key: a repeat of a key is acknowledged and not stored again. */
  readonly events = new Map<string, RegistryEvent>();
  /** Every accepted POST, repeats included (how often clients retried). */
  received = 0;

  addVaccination(v: Omit<RegistryVaccination, 'seq'>): RegistryVaccination {
    const record = { seq: this.vaccinations.length + 1, ...v };
    this.vaccinations.push(record);
    return record;
  }

  /** Records an event once per key; `dose.administered` also enters the history, `stock.reported` the stock. */
  accept(key: string, type: string, body: Record<string, unknown>, now: Date): { created: boolean; event: RegistryEvent } {
    this.received++;
    const known = this.events.get(key);
    if (known) return { created: false, event: known };
    const event = { key, type, body, receivedAt: now.toISOString() };
    this.events.set(key, event);
    if (type === 'dose.administered') {
      this.addVaccination({ personKey: String(body.personKey), vaccine: String(body.vaccine), dose: Number(body.dose), administeredOn: String(body.administeredOn) });
    }
    if (type === 'stock.reported') {
      const clinicId = String(body.clinicId);
      const vaccine = String(body.vaccine);
      this.stock.set(`${clinicId}|${vaccine}`, { clinicId, vaccine, doses: Number(body.doses), updatedAt: now.toISOString() });
    }
    return { created: true, event };
  }

  counts(): { events: number; received: number; byType: Record<string, number> } {
    const byType: Record<string, number> = {};
    for (const e of this.events.values()) byType[e.type] = (byType[e.type] ?? 0) + 1;
    return { events: this.events.size, received: this.received, byType };
  }
}

/** Checks an event body for its type; returns what is wrong, or null. */
export function eventProblem(type: unknown, body: Record<string, unknown>): string | null {
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) return `type must be one of ${EVENT_TYPES.join(', ')}`;
  const need = (field: string, kind: 'string' | 'number') => (typeof body[field] === kind ? null : `${field} must be a ${kind}`);
  switch (type) {
    case 'dose.administered':
      return need('personKey', 'string') ?? need('vaccine', 'string') ?? need('dose', 'number') ?? need('administeredOn', 'string') ?? need('clinicId', 'string');
    case 'stock.reported':
      return need('clinicId', 'string') ?? need('vaccine', 'string') ?? need('doses', 'number');
    default:
      return need('personKey', 'string') ?? need('bookingId', 'string');
  }
}
