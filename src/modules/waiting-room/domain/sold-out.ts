/** A campaign's doses as one node last read them (the waiting room's remaining-doses cache). */
export interface DosesFigure {
  /** Doses loaded from the first bookable date on. */
  capacity: number;
  /** Of those, doses not booked yet. */
  remaining: number;
}

/**
 * Every dose loaded is booked: the queue holds (admits no one new, keeps every place) until doses
 * come back. Unknown (not read yet) is not sold out, and neither is a campaign with no doses loaded
 * yet: "every dose is booked" would not be true of it, and its queue behaves as before.
 */
export function isSoldOut(doses: DosesFigure | undefined): boolean {
  return doses !== undefined && doses.capacity > 0 && doses.remaining <= 0;
}
