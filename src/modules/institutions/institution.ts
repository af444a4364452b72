import type { Selectable } from 'kysely';
import type { InstitutionsTable } from '../../infra/db/schema.ts';

/** A vaccination clinic as uploaded and listed: its row without the bookkeeping column. */
export type Institution = Omit<Selectable<InstitutionsTable>, 'updated_at'>;
