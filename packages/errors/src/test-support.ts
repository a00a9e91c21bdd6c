// Test helpers (excluded from the build).
import type { ErrorReport } from '@monlight/core'

/** A Python report like the upstream smoke test's; override any field. */
export function pythonReport(overrides: Partial<ErrorReport> = {}): ErrorReport {
  return {
    project: 'e2e-test',
    exception_type: 'TestError',
    message: 'Something failed',
    traceback:
      'Traceback (most recent call last):\n  File "/app/test.py", line 42, in main\nTestError: Something failed',
    environment: 'test',
    ...overrides,
  }
}

/** A browser report as the relay forwards it. */
export function browserReport(overrides: Partial<ErrorReport> = {}): ErrorReport {
  return {
    project: 'web',
    exception_type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'id')",
    traceback:
      "TypeError: Cannot read properties of undefined (reading 'id')\n    at onClick (app.min.js:1:2345)",
    request_method: 'BROWSER',
    request_url: 'https://example.com/dashboard',
    extra: { session_id: 'session-001', user_agent: 'Mozilla/5.0' },
    ...overrides,
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 10, 25, 10, 0, 0)) {
  let now = start
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}

/** A logger that keeps its lines, for asserting what was logged. */
export function memoryLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = []
  const logger = {
    level: 'debug' as const,
    debug: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'debug', message, fields }),
    info: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'info', message, fields }),
    warn: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'warn', message, fields }),
    error: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'error', message, fields }),
    child: () => logger,
  }
  return { logger, lines }
}
