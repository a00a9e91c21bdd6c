/** Test helpers shared by every package: the dialect matrix and the adapter matrix. */
export {
  ADAPTERS,
  type AdapterName,
  type AdapterServer,
  type AdapterTarget,
  describeAdapters,
  serveWithAdapter,
  TEST_PREFIX,
} from './adapters.js'
export {
  type BrowserContext,
  CHROMIUM_PATH,
  describeBrowser,
  enterApiKey,
  launchBrowser,
  SCREENSHOT_DIR,
} from './browser.js'
export {
  createTestDatabase,
  createTestDatabases,
  createTestSchema,
  DIALECTS,
  describeDialects,
  dropTestSchema,
  postgresUrl,
  printPostgresNotice,
  type TestDatabase,
  type TestDialect,
} from './dialects.js'
export { seededRandom } from './random.js'
export { type Mail, type ReceivedRequest, startHttpReceiver, startSmtpSink } from './receivers.js'
export { recordingErrors, recordingMetrics } from './recorders.js'
export { until } from './until.js'
