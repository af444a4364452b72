/** The health module's public surface: what the rest of the server may use (the other files are private). */
export { healthRoutes } from './health.routes.ts';
export { installObservability } from './observability.ts';
