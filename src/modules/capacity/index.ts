/** The capacity module's public surface: what the rest of the server may use (the other files are private). */
export { capacityRoutes } from './capacity.routes.ts';
export { bookableDoses, campaignDoseFigures } from './dose-figures.ts';
