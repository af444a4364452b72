/** The campaigns module's public surface: what the rest of the server may use (the other files are private). */
export { campaignAdminRoutes } from './campaign-admin.routes.ts';
export { CampaignCatalog } from './campaign-catalog.ts';
export type { Campaign } from './campaign.ts';
export { campaignRoutes } from './campaigns.routes.ts';
export { seedCampaign } from './campaigns.service.ts';
export { rebuildClinicDays } from './clinic-days.ts';
export { ageOn, inCohort } from './domain/cohort.ts';
export { doseDates } from './domain/doses.ts';
export { MAX_ROUNDS, nextOpening, planJoin, roundScheduleOf, roundsDue, type JoinPlan, type RoundSchedule } from './domain/rounds.ts';
export { canSelfService } from './domain/self-service.ts';
export { buildTenDayRotation, currentWindowFor, isWindowOpen, nextWindowFor, type CampaignWindow } from './domain/windows.ts';
export { myWindowRoutes } from './my-window.routes.ts';
