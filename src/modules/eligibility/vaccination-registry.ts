import type { Db } from '../../infra/db/database.ts';

/** The port to the national immunization registry: has this person completed this vaccine? */
export interface VaccinationRegistry {
  completed(personKey: string, vaccine: string, doses: number): Promise<boolean>;
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
}
