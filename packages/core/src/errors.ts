/**
 * Typed errors. Services throw {@link MonlightError} with a code; the HTTP kit maps the code to a status in
 * exactly one place ({@link ERROR_STATUS}) and renders `{"detail": "...", "code": "..."}`.
 */

/** Every error code and the HTTP status it maps to. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  BODY_ALREADY_READ: 500,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
} as const satisfies Record<string, number>

export type MonlightErrorCode = keyof typeof ERROR_STATUS

export interface MonlightErrorOptions {
  cause?: unknown
  /** Extra fields merged into the JSON body, e.g. `{ retry_after: 12 }`. */
  body?: Record<string, unknown>
  /** Extra response headers, e.g. `{ 'Retry-After': '12' }`. */
  headers?: Record<string, string>
}

/**
 * An expected failure with a machine-readable code.
 *
 * @example
 * throw new MonlightError('NOT_FOUND', 'Error group 42 not found')
 */
export class MonlightError extends Error {
  override get name(): string {
    return 'MonlightError'
  }
  readonly code: MonlightErrorCode
  readonly status: number
  readonly body: Readonly<Record<string, unknown>> | undefined
  readonly headers: Readonly<Record<string, string>> | undefined

  constructor(code: MonlightErrorCode, message: string, options: MonlightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = ERROR_STATUS[code]
    this.body = options.body
    this.headers = options.headers
  }

  /** Name-based check, so it holds across duplicate copies of this package. */
  static is(value: unknown): value is MonlightError {
    return value instanceof Error && value.name === 'MonlightError' && 'code' in value
  }

  /** The response body: `detail` for upstream clients, `code` for programs. */
  toJSON(): Record<string, unknown> {
    return { detail: this.message, code: this.code, ...this.body }
  }
}

/** Invalid configuration, thrown at construction time; never reaches HTTP. */
export class MonlightConfigError extends Error {
  override get name(): string {
    return 'MonlightConfigError'
  }
  static is(value: unknown): value is MonlightConfigError {
    return value instanceof Error && value.name === 'MonlightConfigError'
  }
}
