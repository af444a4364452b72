/* Who a person is, as the identity module tells the rest of the server. */

/** A person: their key, birth date and masked name, from their record or their session's seal. */
export interface PersonRecord {
  personKey: string;
  birthDate: string;
  maskedName: string;
  /** A probe's synthetic person (migration 0019); absent means a citizen. */
  synthetic?: boolean;
  /**
   * The verified identity as the session sealed it at sign-in, which writes no record: what
   * recording the person on first need writes (`recordOnFirstNeed`), and their contact hash for
   * the priority lists. Absent for a person read from their record.
   */
  sealed?: SealedIdentity;
}

/** A verified person's name and phone, and when they were verified, carried in their session's seal. */
export interface SealedIdentity {
  name: string;
  phone: string;
  verifiedAt: Date;
}

/**
 * A verified person's record: the phone encrypted (for their messages), the masked name (what
 * clinics and agents see), the contact hash for priority lists. The full name is not kept: nothing
 * reads it, and a record holds only what the service uses.
 */
export interface VerifiedPersonRow {
  personKey: string;
  birthDate: string;
  maskedName: string;
  phoneEnc: string;
  contactHash: string;
  /** When this identity was verified: an older verification never replaces a newer one's record. */
  verifiedAt: Date;
}
