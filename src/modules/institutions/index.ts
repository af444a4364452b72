/** The institutions module's public surface: what the rest of the server may use (the other files are private). */
export { directoryRoutes } from './directory.routes.ts';
export type { Institution } from './institution.ts';
export { institutionRoutes } from './institutions.routes.ts';
export { seedInstitutions, unknownInstitutionIds } from './institutions.service.ts';
export { generateClinics } from './reference/demo-clinics.ts';
