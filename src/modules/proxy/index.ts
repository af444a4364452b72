/** The proxy module's public surface: what the rest of the server may use (the other files are private). */
export { dependentRoutes } from './dependents.routes.ts';
export { dependentFor, managedPersonKeys } from './dependents.ts';
