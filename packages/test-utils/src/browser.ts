import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe } from 'vitest'

/** Debian's Chromium; never `playwright install` (no browser downloads here). */
export const CHROMIUM_PATH = process.env.MONLIGHT_TEST_CHROMIUM ?? '/usr/bin/chromium'
const REQUIRE_BROWSER = process.env.MONLIGHT_TEST_REQUIRE_BROWSER === '1'
const HAS_BROWSER = existsSync(CHROMIUM_PATH)

if (!HAS_BROWSER && REQUIRE_BROWSER) {
  throw new Error(
    `MONLIGHT_TEST_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`,
  )
}

/** Where UI tests save screenshots for a person to look at (git-ignored). */
export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../artifacts/screenshots')

/** Answers a module UI's "API key required" dialog (from @monlight/ui-kit) as a person would. */
export async function enterApiKey(page: Page, key: string): Promise<void> {
  const dialog = page.locator('dialog.key-dialog')
  await dialog.waitFor()
  await dialog.locator('input').fill(key)
  await dialog.locator('button[type=submit]').click()
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

export interface BrowserContext {
  /** The shared browser of this describe block. */
  readonly browser: Browser
  /** A new page (1280×800 unless told); page errors and console errors are collected in `errors`. */
  newPage(options?: { width?: number; height?: number; colorScheme?: 'light' | 'dark' }): Promise<Page>
  /** Saves `<SCREENSHOT_DIR>/<name>.png` and returns its path. */
  screenshot(page: Page, name: string): Promise<string>
  /** Uncaught page errors and `console.error` messages seen so far on pages from `newPage`. */
  readonly errors: string[]
}

/**
 * A describe block with one Chromium for all its tests. Skipped with a notice when Chromium is missing, unless
 * MONLIGHT_TEST_REQUIRE_BROWSER=1 (CI) makes that fatal.
 */
export function describeBrowser(title: string, suite: (context: BrowserContext) => void): void {
  if (!HAS_BROWSER) {
    console.info(`[monlight] browser suite "${title}" skipped: no Chromium at ${CHROMIUM_PATH}`)
    describe.skip(title, () => suite(undefined as unknown as BrowserContext))
    return
  }
  let browser: Browser | undefined
  const errors: string[] = []
  const context: BrowserContext = {
    get browser() {
      if (!browser) throw new Error('browser not launched yet: use it inside a test or hook')
      return browser
    },
    errors,
    async newPage({ width = 1280, height = 800, colorScheme = 'light' } = {}) {
      const page = await context.browser.newPage({ viewport: { width, height }, colorScheme })
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`)
      })
      return page
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true })
      const path = join(SCREENSHOT_DIR, `${name}.png`)
      await page.screenshot({ path, fullPage: true })
      return path
    },
  }
  describe(title, () => {
    beforeAll(async () => {
      browser = await launchBrowser()
    }, 30_000)
    afterAll(async () => {
      await browser?.close()
    })
    suite(context)
  })
}
