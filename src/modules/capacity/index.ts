/** The capacity module's public surface: what the rest of the server may use (the other files are private). */
export { campaignDoses } from './campaign-doses.repository.ts';
export { capacityRoutes } from './capacity.routes.ts';
