/** The probe module's public surface: what the rest of the server may use (the other files are private). */
export { probeRoutes } from './probe.routes.ts';
export { registerSyntheticPersons, type SyntheticIdentity } from './synthetic-persons.ts';
