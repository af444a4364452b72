/** The me module's public surface: what the rest of the server may use (the other files are private). */
export { meRoutes } from './me.routes.ts';
