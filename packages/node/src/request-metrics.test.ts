import { describe, expect, it } from 'vitest'
import { isServerError, templatePath } from './request-metrics.js'

describe('templatePath', () => {
  it('replaces numeric, uuid and long opaque segments with :id', () => {
    expect(templatePath('/users/42/orders/7')).toBe('/users/:id/orders/:id')
    expect(templatePath('/items/123e4567-e89b-12d3-a456-426614174000?x=1')).toBe('/items/:id')
    expect(templatePath('/blobs/9f1c2a7be0d34c55aa01')).toBe('/blobs/:id')
    expect(templatePath('/api/v2/health')).toBe('/api/v2/health')
  })
})

describe('isServerError', () => {
  it('reports errors without a status or with a 5xx one', () => {
    expect(isServerError(new Error('x'))).toBe(true)
    expect(isServerError(Object.assign(new Error('x'), { status: 503 }))).toBe(true)
    expect(isServerError(Object.assign(new Error('x'), { statusCode: 404 }))).toBe(false)
    expect(isServerError(Object.assign(new Error('x'), { status: 400 }))).toBe(false)
  })
})
