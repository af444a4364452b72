/** The leftover module's public surface: what the rest of the server may use (the other files are private). */
export { leftoverRoutes } from './leftover.routes.ts';
