/** The identity module's public surface: what the rest of the server may use (the other files are private). */
export { identityMethodRoutes } from './identity-methods.routes.ts';
export { identityRoutes } from './identity.routes.ts';
export { ClaimedIdentityBody, PersonView } from './identity.schemas.ts';
export { mobileIdentityRoutes } from './mobile/mobile.routes.ts';
export { oidcRoutes } from './oidc/oidc.routes.ts';
export { contactHashOf, devConnectingInformation } from './person-key.ts';
export { maskedNamesOf, personRecordStatementPart, recordedPerson, recordOnFirstNeed, sealedContactHash, sealedRow } from './person-records.ts';
export type { PersonRecord, VerifiedPersonRow } from './person.ts';
export { checkPlausibleBirthDate } from './plausible-birth-date.ts';
export { credentialFrom, credentialOf, personOf, personOfKey, requireSession, SESSION_COOKIE, VerifiedSession, verifySessionToken } from './session-auth.ts';
export { recordPerson, startSession, type SessionStarting, type SignedIn } from './sign-in.ts';
