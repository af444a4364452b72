/** The operator module's public surface: what the rest of the server may use (the other files are private). */
export { auditRoutes } from './audit.routes.ts';
export { auditedAs, recordAudit, type AuditActor, type AuditEntry, type AuditInTransaction } from './audit.ts';
export { liveRoutes } from './live/live.routes.ts';
export { LocalNodeFiguresBoard, RedisNodeFiguresBoard, type NodeFiguresBoard } from './live/node-figures-board.ts';
export { NodeFiguresPublisher } from './live/node-figures-publisher.ts';
export { operatorAccountRoutes } from './operator-accounts.routes.ts';
export { createOperator } from './operator-accounts.ts';
export { operatorOf, requireOperator, type OperatorPrincipal, type OperatorRole } from './operator-auth.ts';
