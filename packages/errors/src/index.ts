/**
 * @module @monlight/errors
 */
export const MODULE_NAME = 'errors'
