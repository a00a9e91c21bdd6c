import { handleClick } from './orders'

interface TestConfig {
  endpoint: string
  dsn: string
  release: string
}

/** Reports like the browser SDK (contract §8.2 and §8.4): fetch, JSON, X-Monlight-Key. */
function report(error: Error): void {
  const config = (window as unknown as { MonlightTest: TestConfig }).MonlightTest
  void fetch(`${config.endpoint}/api/browser/errors`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Monlight-Key': config.dsn },
    body: JSON.stringify({
      type: error.name,
      message: error.message,
      stack: error.stack ?? '',
      url: location.href,
      user_agent: navigator.userAgent,
      session_id: 'e2e-session',
      context: {},
      release: config.release,
      timestamp: new Date().toISOString(),
    }),
    keepalive: true,
  })
}

window.addEventListener('error', (event) => report(event.error))
document.getElementById('go')!.addEventListener('click', handleClick)
