// dynamo-session-manager/lambda: what a serverless deployment schedules beside its request path.
export { createMaintenanceHandler } from './maintenance-handler.js';
export type { MaintenanceHandler, MaintenanceSummary, ScheduledEvent } from './maintenance-handler.js';
