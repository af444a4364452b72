/** The agent module's public surface: what the rest of the server may use (the other files are private). */
export { agentRoutes } from './agent.routes.ts';
