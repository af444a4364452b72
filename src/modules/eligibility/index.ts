/** The eligibility module's public surface: what the rest of the server may use (the other files are private). */
export { BOOKING_RULES, type Eligibility } from './domain/eligibility.ts';
export { eligibilityOf, eligibilityView, type KnownFacts } from './eligibility.service.ts';
export { priorityListRoutes } from './priority-list.ts';
export { LocalVaccinationRegistry, type VaccinationRegistry } from './vaccination-registry.ts';
