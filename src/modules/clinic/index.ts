/** The clinic module's public surface: what the rest of the server may use (the other files are private). */
export { clinicRoutes } from './clinic.routes.ts';
