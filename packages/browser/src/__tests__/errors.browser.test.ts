import { describeBrowser } from '@monlight/test-utils'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { sdkPage, useSiteAndRelay } from './server.js'

const KEY = 'dsn-key-0123456789abcdef'

describeBrowser('browser SDK: errors, breadcrumbs and the client API', (browser) => {
  const servers = useSiteAndRelay()
  const config = () => ({
    dsn: KEY,
    endpoint: servers.relay.origin,
    release: '1.2.3',
    environment: 'staging',
  })

  /** Opens `path` and collects what reaches the page as an uncaught error. */
  const open = async (path: string): Promise<[Page, string[]]> => {
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${servers.site.origin}${path}`)
    return [page, pageErrors]
  }

  test('uncaught errors and rejections arrive as text/plain with ?key=, no preflight, with breadcrumbs', async () => {
    servers.site.page('/app', sdkPage(config(), `<button id="save" class="primary wide">Save</button>`))
    const [page, pageErrors] = await open('/app')
    await page.click('#save')
    await page.evaluate(async () => {
      console.log('hello', { a: 1 })
      history.pushState({}, '', '/app/settings')
      await fetch('/api/items/42?token=secret')
      setTimeout(() => {
        throw new TypeError('boom')
      })
      Promise.reject(new RangeError('nope'))
      Promise.reject('plain reason')
    })
    const errors = await servers.relay.waitFor(
      () => servers.relay.errors().length === 3 && servers.relay.errors(),
    )
    // Chromium reports page errors to the test over its own channel: they can come after the relay has the posts.
    await expect.poll(() => pageErrors.length).toBe(3)
    expect(pageErrors.sort()).toEqual(['boom', 'nope', 'plain reason'])

    const posts = servers.relay.received.filter((r) => r.method === 'POST')
    expect(servers.relay.received.some((r) => r.method === 'OPTIONS')).toBe(false)
    for (const post of posts) {
      expect(post.path).toMatch(/^\/api\/browser\/(errors|metrics)$/)
      expect(post.query.get('key')).toBe(KEY)
      expect(post.headers['content-type']).toMatch(/^text\/plain/)
      expect(post.headers['x-monlight-key']).toBeUndefined()
    }

    const boom = errors.find((e) => e.type === 'TypeError')
    expect(boom).toMatchObject({
      message: 'boom',
      url: `${servers.site.origin}/app/settings`,
      release: '1.2.3',
      environment: 'staging',
      user_agent: expect.stringContaining('Chrome'),
      session_id: expect.stringMatching(/^[\da-f-]{36}$/),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    })
    expect(boom.stack).toMatch(/^TypeError: boom\n\s+at /)
    const crumbs = boom.context.breadcrumbs.map((c: any) => `${c.type} ${c.message}`)
    expect(crumbs).toEqual([
      'navigation /app',
      'click button#save.primary.wide',
      'console log: hello {"a":1}',
      'navigation /app/settings',
      `fetch GET ${servers.site.origin}/api/items/{id} 200`,
    ])
    expect(JSON.stringify(errors)).not.toContain('secret')
    expect(errors.find((e) => e.type === 'RangeError')).toMatchObject({ message: 'nope' })
    expect(errors.find((e) => e.type === 'UnhandledRejection')).toMatchObject({
      message: 'plain reason',
      stack: '',
    })
    await page.close()
  })

  test('repeated errors are deduplicated by their first stack frame, not the message line', async () => {
    servers.site.page('/dedup', sdkPage(config()))
    const [page] = await open('/dedup')
    await page.evaluate(() => {
      const client = (window as any).Monlight
      function first() {
        throw new Error('same message')
      }
      function second() {
        throw new Error('same message')
      }
      for (const fn of [first, first, first, second]) {
        try {
          fn()
        } catch (error) {
          client.captureError(error)
        }
      }
    })
    await page.evaluate(() => (window as any).Monlight.flush())
    const errors = servers.relay.errors()
    expect(errors).toHaveLength(2)
    expect(errors.map((e) => e.stack.split('\n')[1].trim().split(' ')[1]).sort()).toEqual(['first', 'second'])
    await page.close()
  })

  test('debug IDs written by `sentry-cli sourcemaps inject`: those of the files in the stack, lazy chunks too', async () => {
    const ids = {
      app: '06a4bf03-ffb2-51d5-8c17-925df12d5eb9',
      vendor: '5bd1a2e4-0c6f-4c6a-9d55-3f0e8a7b6c21',
      lazy: 'c0ffee00-1234-4abc-8def-0123456789ab',
    }
    // The snippet sentry-cli puts at the top of every file, as it writes it.
    const snippet = (id: string) =>
      `!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="${id}",e._sentryDebugIdIdentifier="sentry-dbid-${id}")}catch(e){}}();\n`
    // Served as page routes: text/html, which a classic script tag accepts.
    servers.site.page('/static/vendor.js', `${snippet(ids.vendor)}window.vendorRun = function (fn) { fn() }`)
    servers.site.page(
      '/static/app.js',
      `${snippet(ids.app)}function placeOrder() { throw new Error('order failed') }
       document.getElementById('order').addEventListener('click', function () { vendorRun(placeOrder) })`,
    )
    servers.site.page(
      '/static/lazy.js',
      `${snippet(ids.lazy)}window.lazyFail = function () { throw new Error('lazy failed') }`,
    )
    servers.site.page(
      '/debug-ids',
      sdkPage(
        config(),
        '<button id="order">Order</button><script src="/static/vendor.js"></script><script src="/static/app.js"></script>',
      ),
    )
    const [page, pageErrors] = await open('/debug-ids')
    await page.click('#order')
    await servers.relay.waitFor(() => servers.relay.errors().length === 1)
    await page.evaluate(async () => {
      // A lazy chunk: its snippet adds a key after the first error was sent.
      const script = document.createElement('script')
      script.src = '/static/lazy.js'
      document.head.append(script)
      await new Promise((resolve) => script.addEventListener('load', resolve))
      setTimeout(() => (window as any).lazyFail())
    })
    await servers.relay.waitFor(() => servers.relay.errors().length === 2)
    await page.evaluate(() => (window as any).Monlight.captureMessage('no marked file in this stack'))
    const errors = await servers.relay.waitFor(
      () => servers.relay.errors().length === 3 && servers.relay.errors(),
    )
    await expect.poll(() => pageErrors.length).toBe(2)
    expect(pageErrors).toEqual(['order failed', 'lazy failed'])
    const file = (name: string) => `${servers.site.origin}/static/${name}.js`
    expect(errors[0]).toMatchObject({ message: 'order failed' })
    expect(errors[0].debug_ids).toEqual({ [file('app')]: ids.app, [file('vendor')]: ids.vendor })
    expect(errors[1]).toMatchObject({ message: 'lazy failed', debug_ids: { [file('lazy')]: ids.lazy } })
    expect(Object.keys(errors[1].debug_ids)).toEqual([file('lazy')])
    expect(errors[2].message).toBe('no marked file in this stack')
    expect(errors[2]).not.toHaveProperty('debug_ids')
    await page.close()
  })

  test('captureMessage, setUser, addContext, beforeSend and enabled: false', async () => {
    servers.site.page('/api', sdkPage(undefined))
    const [page] = await open('/api')
    const flushed = await page.evaluate(
      async ({ endpoint, key }) => {
        const sdk = (window as any).MonlightSDK
        const client = sdk.init({
          dsn: key,
          endpoint,
          beforeSend: (event: any) =>
            event.message.includes('secret') ? null : { ...event, context: { ...event.context, seen: true } },
        })
        client.setUser('user-7')
        client.addContext('plan', 'pro')
        client.captureMessage('careful', 'warning')
        client.captureMessage('a secret, dropped')
        client.captureError(new SyntaxError('with context'), { order: 42 })
        client.setUser(null)
        client.captureError('a string')
        const off = sdk.init({ dsn: key, endpoint, enabled: false })
        off.captureError(new Error('never sent'))
        return [await client.flush(), await off.flush()]
      },
      { endpoint: servers.relay.origin, key: KEY },
    )
    expect(flushed).toEqual([true, true])
    // Each capture is its own request, so they may arrive in any order.
    const order = ['careful', 'with context', 'a string']
    const errors = servers.relay.errors().sort((a, b) => order.indexOf(a.message) - order.indexOf(b.message))
    expect(errors.map((e) => [e.type, e.message])).toEqual([
      ['ConsoleWarning', 'careful'],
      ['SyntaxError', 'with context'],
      ['Error', 'a string'],
    ])
    expect(errors[0].stack).toContain('careful')
    for (const error of errors) delete error.context.breadcrumbs
    expect(errors[0].context).toEqual({ user_id: 'user-7', plan: 'pro', seen: true })
    expect(errors[1].context).toEqual({ user_id: 'user-7', plan: 'pro', order: 42, seen: true })
    expect(errors[2].context).toEqual({ plan: 'pro', seen: true })
    await page.close()
  })

  test('captureConsole reports console.error / console.warn; the DSN URL form derives the endpoint', async () => {
    const url = new URL(servers.relay.origin)
    servers.site.page('/console', sdkPage({ dsn: `http://${KEY}@${url.host}/`, captureConsole: true }))
    const [page] = await open('/console')
    await page.evaluate(async () => {
      console.error('failed to save', new Error('disk full'))
      console.warn('slow')
      console.info('not captured')
      await (window as any).Monlight.flush()
    })
    // One request per report: sorted, as they may arrive in any order.
    expect(
      servers.relay
        .errors()
        .map((e) => [e.type, e.message])
        .sort(),
    ).toEqual([
      ['ConsoleError', 'failed to save Error: disk full'],
      ['ConsoleWarning', 'slow'],
    ])
    expect(servers.relay.received[0]!.query.get('key')).toBe(KEY)
    await page.close()
  })

  test('destroy() restores every patched global and removes every listener', async () => {
    servers.site.page('/destroy', sdkPage(undefined))
    const [page] = await open('/destroy')
    const result = await page.evaluate(
      async ({ endpoint, key }) => {
        const targets: Array<[any, string]> = [
          [window, 'fetch'],
          [XMLHttpRequest.prototype, 'open'],
          [XMLHttpRequest.prototype, 'send'],
          [history, 'pushState'],
          [history, 'replaceState'],
          ...['log', 'info', 'warn', 'error'].map((level): [any, string] => [console, level]),
        ]
        const before = targets.map(([target, key]) => target[key])
        const client = (window as any).MonlightSDK.init({ dsn: key, endpoint, captureConsole: true })
        const patched = targets.filter(([target, key], i) => target[key] !== before[i]).length
        client.destroy()
        client.destroy()
        const restored = targets.every(([target, key], i) => target[key] === before[i])
        setTimeout(() => {
          throw new Error('after destroy')
        })
        console.error('after destroy')
        client.captureError(new Error('after destroy'))
        await new Promise((resolve) => setTimeout(resolve, 300))
        return { patched, restored, count: targets.length }
      },
      { endpoint: servers.relay.origin, key: KEY },
    )
    expect(result).toEqual({ patched: result.count, restored: true, count: 9 })
    expect(servers.relay.errors()).toEqual([])
    await page.close()
  })
})
