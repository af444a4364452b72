import type { ColumnType, Generated } from 'kysely';
import type { OutreachTables } from './schema-outreach.ts';

/** Row types of every table (migrations/ is the source of truth; keep these in step). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateString = ColumnType<string, string, string>;

interface PersonsTable {
  person_key: string;
  birth_date: DateString;
  masked_name: string;
  name_enc: string | null;
  phone_enc: string | null;
  contact_hash: string | null;
  /** Language of the person's messages. */
  locale: Generated<'ko' | 'en'>;
  /** A probe's citizen (migration 0019): signs in only with the probe credential. */
  synthetic: Generated<boolean>;
  /** When the recorded identity was verified (migration 0021); null for rows written before. */
  verified_at: Date | null;
  created_at: Generated<Date>;
}

interface DependentsTable {
  guardian_key: string;
  person_key: string;
  relationship: 'parent' | 'grandparent' | 'spouse' | 'child' | 'sibling' | 'other';
  created_at: Timestamp;
}

interface OtpChallengesTable {
  id: string;
  code_hash: string;
  identity_enc: string;
  phone_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  created_at: Timestamp;
}

interface PriorityEntriesTable {
  campaign_id: string;
  contact_hash: string;
  group_name: string;
  created_at: Timestamp;
}

interface VaccinationRecordsTable {
  person_key: string;
  vaccine: string;
  dose: number;
  administered_on: DateString;
}

interface OperatorsTable {
  id: string;
  username: string;
  password_hash: string;
  role: 'operator' | 'clinic_staff' | 'agent';
  institution_id: string | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: Timestamp;
}

interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  details: ColumnType<unknown, string | undefined, never>;
}

interface CampaignsTable {
  id: string;
  name: string;
  born_from: DateString;
  born_to: DateString;
  vaccine_name: string;
  doses: number;
  interval_days: number;
  queue_opens_at: Timestamp;
  proxy_allowed: boolean;
  admission: ColumnType<unknown, string, string>;
  /** The probe's own campaign (migration 0019): hidden from the public, only synthetic persons join. */
  synthetic: Generated<boolean>;
  created_at: Generated<Date>;
}

interface CampaignWindowsTable {
  campaign_id: string;
  id: string;
  kind: 'rotation' | 'catchup' | 'open';
  opens_at: Timestamp;
  closes_at: Timestamp;
  birth_day_digits: number[] | null;
  born_from: DateString | null;
  born_to: DateString | null;
}

export interface InstitutionsTable {
  id: string;
  name: string;
  address: string;
  sido: string;
  sigungu: string;
  lat: number;
  lng: number;
  updated_at: Generated<Date>;
}

interface CapacitySlotsTable {
  campaign_id: string;
  institution_id: string;
  date: DateString;
  minute: number;
  capacity: number;
  booked: Generated<number>;
}

interface ClinicDaysTable {
  campaign_id: string;
  institution_id: string;
  date: DateString;
  capacity: number;
  booked: Generated<number>;
}

interface WindowSharesTable {
  campaign_id: string;
  institution_id: string;
  date: DateString;
  window_id: string;
  share: number;
  booked: Generated<number>;
}

interface BookingsTable {
  id: string;
  code: string;
  campaign_id: string;
  person_key: string;
  window_id: string;
  share_window_id: string | null;
  status: 'booked' | 'cancelled';
  created_at: Timestamp;
  updated_at: Timestamp;
  cancelled_at: Timestamp | null;
  booked_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** The Idempotency-Key the booking was made under (migration 0030). */
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
}

interface BookingDosesTable {
  booking_id: string;
  dose: number;
  institution_id: string;
  date: DateString;
  minute: number;
}

interface IdempotencyKeysTable {
  person_key: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: ColumnType<unknown, string, string>;
  created_at: Timestamp;
}

/** An event written with the change it announces; `payload` is `json`, kept as written (migration 0031). */
interface OutboxTable {
  id: Generated<number>;
  topic: string;
  aggregate_id: string;
  payload: ColumnType<unknown, string, string>;
  created_at: Timestamp;
  processed_at: Timestamp | null;
}

/** A place given up by its holder (migration 0027). */
interface QueueAbandonedTable {
  campaign_id: string;
  position: number;
  person_key: string;
  left_at_ms: string | number;
}

interface QueuePlacesTable {
  campaign_id: string;
  person_key: string;
  position: number | null;
  draw: string | null;
  /** The pre-queue round of a draw (migration 0012); null for a first-come place. */
  round: number | null;
}

/** A journal write's places of one campaign, as parallel arrays (migration 0035). */
interface QueuePlaceWritesTable {
  campaign_id: string;
  id: Generated<number>;
  person_keys: string[];
  positions: (number | null)[];
  draws: (string | null)[];
  rounds: (number | null)[];
}

interface QueueAdmissionsTable {
  campaign_id: string;
  person_key: string;
  admission_id: string;
  expires_at_ms: number;
}

interface QueueCheckpointsTable {
  campaign_id: string;
  state: ColumnType<unknown, string, string>;
  saved_at: Timestamp;
}

/** The queue's transparency log by bundle: each append's entries, a row per entry tile at most (migration 0026). */
interface QueueLogBundlesTable {
  campaign_id: string;
  first_index: number;
  count: number;
  /** The entries' lines one after another, each ending in a newline: the bytes their leaves hash. */
  entries: string;
}

/** The log's entries found by what they are about: a pre-queue entry's commitment (base64), `seed <round>`, `draw <round>`. */
interface QueueLogSubjectsTable {
  campaign_id: string;
  subject: string;
  leaf_index: number;
}

interface QueueLogCosignaturesTable {
  campaign_id: string;
  /** The witness's verifier key name and key ID, `name+hash`. */
  witness: string;
  tree_size: number;
  /** base64 */
  root: string;
  /** The cosignature line (C2SP tlog-cosignature), newline included. */
  line: string;
}

interface QueueLogCursorsTable {
  campaign_id: string;
  /** The store's epoch of the last event stored (queue-events.ts). */
  epoch: string;
  seq: string | number;
}

/** A data key personal data is sealed under, wrapped by a key-encryption key (migration 0032). */
interface DataKeysTable {
  id: string;
  /** `<kek id>.<iv>.<tag>.<data>`, base64url (`EnvelopeCrypto.newDataKey`). */
  wrapped: string;
  created_at: Timestamp;
}

export interface DB extends OutreachTables {
  persons: PersonsTable;
  campaigns: CampaignsTable;
  campaign_windows: CampaignWindowsTable;
  institutions: InstitutionsTable;
  capacity_slots: CapacitySlotsTable;
  clinic_days: ClinicDaysTable;
  window_shares: WindowSharesTable;
  bookings: BookingsTable;
  booking_doses: BookingDosesTable;
  idempotency_keys: IdempotencyKeysTable;
  outbox: OutboxTable;
  dependents: DependentsTable;
  otp_challenges: OtpChallengesTable;
  priority_entries: PriorityEntriesTable;
  vaccination_records: VaccinationRecordsTable;
  operators: OperatorsTable;
  audit_log: AuditLogTable;
  /** Written by a node of the release before migration 0035 only; read through `queue_journalled_places`. */
  queue_places: QueuePlacesTable;
  queue_place_writes: QueuePlaceWritesTable;
  /** The view of every journalled place (migration 0035): one row per campaign, person and place. */
  queue_journalled_places: QueuePlacesTable;
  queue_abandoned: QueueAbandonedTable;
  queue_admissions: QueueAdmissionsTable;
  queue_checkpoints: QueueCheckpointsTable;
  queue_log_bundles: QueueLogBundlesTable;
  queue_log_subjects: QueueLogSubjectsTable;
  queue_log_cursors: QueueLogCursorsTable;
  queue_log_cosignatures: QueueLogCosignaturesTable;
  data_keys: DataKeysTable;
}
