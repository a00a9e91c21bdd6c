import { HTTPError } from 'h3'
import { describe, expect, it } from 'vitest'
import { ERROR_STATUS, MonlightError } from '../errors.js'
import { createLogger } from '../logger.js'
import { renderError } from './render-error.js'

describe('renderError', () => {
  it('maps every code to its status from the one table', async () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const res = renderError(new MonlightError(code as keyof typeof ERROR_STATUS, 'why'))
      expect(res.status).toBe(status)
      expect(await res.json()).toEqual({ detail: 'why', code })
    }
  })

  it('merges extra body fields and headers, and keeps CORS headers already set', async () => {
    const previous = new Headers({ 'access-control-allow-origin': 'https://a.example', 'x-other': '1' })
    const res = renderError(
      new MonlightError('RATE_LIMITED', 'Rate limit exceeded', {
        body: { retry_after: 3 },
        headers: { 'retry-after': '3' },
      }),
      undefined,
      previous,
    )
    expect(res.headers.get('retry-after')).toBe('3')
    expect(res.headers.get('access-control-allow-origin')).toBe('https://a.example')
    expect(res.headers.get('x-other')).toBeNull()
    expect(await res.json()).toEqual({ detail: 'Rate limit exceeded', code: 'RATE_LIMITED', retry_after: 3 })
  })

  it('unwraps h3 errors and logs real bugs without leaking them', async () => {
    const lines: string[] = []
    const logger = createLogger({ write: (l) => lines.push(l) })
    expect(await renderError(new HTTPError({ status: 404 })).json()).toEqual({
      detail: 'Not found',
      code: 'NOT_FOUND',
    })
    const wrapped = new HTTPError(new MonlightError('CONFLICT', 'Already resolved'))
    expect(renderError(wrapped).status).toBe(409)
    const bug = renderError(new TypeError('cannot read x of undefined'), logger)
    expect(bug.status).toBe(500)
    expect(await bug.json()).toEqual({ detail: 'Internal server error', code: 'INTERNAL' })
    expect(lines[0]).toContain('cannot read x of undefined')
  })
})
