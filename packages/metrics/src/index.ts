/**
 * @module @monlight/metrics
 */
export const MODULE_NAME = 'metrics'
