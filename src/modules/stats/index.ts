/** The stats module's public surface: what the rest of the server may use (the other files are private). */
export { statsRoutes } from './stats.routes.ts';
