import type { Db } from '../../infra/db/database.ts';

/** Each person's highest dose of each vaccine they received: person key → vaccine → dose. */
export type DosesByPerson = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** The port to the national immunization registry: has this person completed this vaccine? */
export interface VaccinationRegistry {
  completed(personKey: string, vaccine: string, doses: number): Promise<boolean>;
  /** The highest dose of every vaccine each of these persons received, in one read (sign-in's batch). */
  highestDoses(personKeys: readonly string[]): Promise<DosesByPerson>;
}

/**
 * The registry as read from its local copy (`vaccination_records`), so the booking path never
 * waits on the slow legacy system; keeping the copy in sync is the registry integration's job.
 */
export class LocalVaccinationRegistry implements VaccinationRegistry {
  constructor(private readonly db: Db) {}

  async completed(personKey: string, vaccine: string, doses: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('vaccination_records')
      .select('dose')
      .where('person_key', '=', personKey)
      .where('vaccine', '=', vaccine)
      .where('dose', '>=', doses)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async highestDoses(personKeys: readonly string[]): Promise<DosesByPerson> {
    const byPerson = new Map<string, Map<string, number>>();
    if (personKeys.length === 0) return byPerson;
    const rows = await this.db
      .selectFrom('vaccination_records')
      .select(['person_key', 'vaccine', (eb) => eb.fn.max('dose').as('dose')])
      .where('person_key', '=', (eb) => eb.fn.any(eb.val([...personKeys])))
      .groupBy(['person_key', 'vaccine'])
      .execute();
    for (const row of rows) {
      let doses = byPerson.get(row.person_key);
      if (!doses) byPerson.set(row.person_key, (doses = new Map()));
      doses.set(row.vaccine, Number(row.dose));
    }
    return byPerson;
  }
}
