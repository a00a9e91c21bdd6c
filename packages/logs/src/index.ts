/**
 * @module @monlight/logs
 */
export const MODULE_NAME = 'logs'
