/** The notifications module's public surface: what the rest of the server may use (the other files are private). */
export { HttpMessageGateway } from './http-message-gateway.ts';
export { LocalMessageGateway, type MessageGateway } from './message-gateway.ts';
export { messageSender, reminderScheduler } from './message-sender.ts';
export { notificationRoutes } from './notifications.routes.ts';
