export { silentLogger, redactId, safeLog } from './logger.js';
export type { Logger, LogMethod } from './logger.js';
