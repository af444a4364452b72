/** The institutions module's public surface: what the rest of the server may use (the other files are private). */
export { directoryRoutes } from './directory.routes.ts';
export type { Institution } from './institution.ts';
export { existingInstitutionIds, upsertInstitutions } from './institutions.repository.ts';
export { institutionRoutes } from './institutions.routes.ts';
export { generateClinics } from './reference/demo-clinics.ts';
