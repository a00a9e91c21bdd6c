import { describe, expect, it } from 'vitest'
import { MonlightError } from '../errors.js'
import { renderError } from '../http/render-error.js'
import { createLogger } from '../logger.js'
import { isUnavailableError, retryConflicts } from './transient.js'

const pgError = (code: string, message = 'pg') => Object.assign(new Error(message), { code })

describe('retryConflicts', () => {
  it('reruns a transaction PostgreSQL aborted for a deadlock, and says so in the log', async () => {
    const lines: string[] = []
    let runs = 0
    const result = await retryConflicts(
      async () => {
        if (++runs < 3) throw pgError(runs === 1 ? '40P01' : '40001', 'deadlock detected')
        return 'stored'
      },
      { what: 'metrics ingest', logger: createLogger({ write: (line) => lines.push(line) }) },
    )
    expect(result).toBe('stored')
    expect(runs).toBe(3)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContain('metrics ingest: transaction conflict, retrying')
  })

  it('passes other errors through at once', async () => {
    let runs = 0
    const failing = retryConflicts(
      async () => {
        runs++
        throw pgError('23505', 'duplicate key')
      },
      { what: 'x' },
    )
    await expect(failing).rejects.toThrow('duplicate key')
    expect(runs).toBe(1)
  })

  it('turns conflicts that outlast the attempts into a 503 with Retry-After', async () => {
    const failing = retryConflicts(
      async () => {
        throw pgError('40P01')
      },
      { what: 'x', attempts: 2 },
    )
    const error = await failing.catch((e: unknown) => e)
    expect(MonlightError.is(error) && error.status).toBe(503)
    const response = renderError(error)
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
  })
})

describe('a database that is down', () => {
  it('is recognised from SQLSTATEs, socket errors and pg messages', () => {
    expect(isUnavailableError(pgError('57P01'))).toBe(true)
    expect(isUnavailableError(pgError('08006'))).toBe(true)
    expect(isUnavailableError(pgError('ECONNREFUSED'))).toBe(true)
    expect(isUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isUnavailableError(pgError('23505'))).toBe(false)
    expect(isUnavailableError(new Error('boom'))).toBe(false)
  })

  it('answers 503 with Retry-After, logged as a warning, not as an unhandled error', async () => {
    const lines: string[] = []
    const response = renderError(
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      createLogger({ write: (line) => lines.push(line) }),
    )
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('2')
    expect(await response.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    expect(lines.join('')).toContain('database unavailable')
    expect(lines.join('')).not.toContain('unhandled')
    // The next requests of the same outage answer 503 too, without a log line each.
    const again = renderError(pgError('ECONNREFUSED'), createLogger({ write: (line) => lines.push(line) }))
    expect(again.status).toBe(503)
    expect(lines).toHaveLength(1)
  })
})
