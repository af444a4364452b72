/** The availability module's public surface: what the rest of the server may use (the other files are private). */
export { availabilityRoutes } from './availability.routes.ts';
export { firstBookableDate } from './availability.service.ts';
