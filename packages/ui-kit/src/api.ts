import { h } from './dom.js'

const KEY_STORAGE = 'monlight.api_key'
/** The fragment that hands the key to a module UI on another origin (`#monlight-key=…`); never sent to a server. */
const KEY_FRAGMENT = 'monlight-key='

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

/** A failed API call; `detail` is the server's human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code?: string,
  ) {
    super(detail)
  }
}

/**
 * Calls the module's API relative to the page's `<base>`, so the UI works under any mount prefix. Sends the API
 * key kept in localStorage; on `401` it asks for the key in a dialog and retries.
 */
export interface Api {
  get<T>(path: string, query?: Query): Promise<T>
  post<T>(path: string, body?: unknown): Promise<T>
  delete<T>(path: string): Promise<T>
  /** Absolute URL with `api_key` in the query, for `EventSource` (which cannot send headers). */
  streamUrl(path: string, query?: Query): string
}

export function createApi(): Api {
  adoptKeyFromFragment()
  const call = async <T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> => {
    for (;;) {
      const headers: Record<string, string> = { accept: 'application/json' }
      const key = localStorage.getItem(KEY_STORAGE)
      if (key) headers['x-api-key'] = key
      if (body !== undefined) headers['content-type'] = 'application/json'
      const response = await fetch(apiUrl(path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      if (response.status === 401) {
        await askForApiKey(key ? 'That key was refused. Enter a valid API key.' : undefined)
        continue
      }
      const text = await response.text()
      const data = text ? safeJson(text) : undefined
      if (!response.ok) {
        const detail = (data as { detail?: unknown } | undefined)?.detail
        throw new ApiError(
          response.status,
          typeof detail === 'string' ? detail : `${response.status} ${response.statusText}`,
          (data as { code?: string } | undefined)?.code,
        )
      }
      return data as T
    }
  }
  return {
    get: (path, query) => call('GET', path, query),
    post: (path, body) => call('POST', path, undefined, body),
    delete: (path) => call('DELETE', path),
    streamUrl: (path, query) => apiUrl(path, { ...query, api_key: localStorage.getItem(KEY_STORAGE) }),
  }
}

/** The stored API key, if any. */
export function storedApiKey(): string | null {
  return localStorage.getItem(KEY_STORAGE)
}

/**
 * `href` with this browser's key in its fragment, for a link to a module UI on another origin (the modules on
 * their own ports): localStorage is per origin, so without it each module would ask for the key again.
 */
export function withKeyFragment(href: string): string {
  const key = storedApiKey()
  return key ? `${href.split('#')[0]}#${KEY_FRAGMENT}${encodeURIComponent(key)}` : href
}

/** Keeps a key handed over by `withKeyFragment`, and takes it out of the address bar and the history entry. */
function adoptKeyFromFragment(): void {
  if (!location.hash.startsWith(`#${KEY_FRAGMENT}`)) return
  try {
    const key = decodeURIComponent(location.hash.slice(KEY_FRAGMENT.length + 1)).trim()
    if (key) localStorage.setItem(KEY_STORAGE, key)
  } catch {
    // A malformed fragment (not percent-encoding): ignored, the key dialog asks as usual.
  }
  history.replaceState(history.state, '', location.pathname + location.search)
}

function apiUrl(path: string, query: Query = {}): string {
  const url = new URL(path.replace(/^\//, ''), document.baseURI)
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value))
  }
  return url.href
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return { detail: text.slice(0, 200) }
  }
}

let pending: Promise<void> | undefined

/** Shows the "API key required" dialog once, however many calls are waiting for it. */
export function askForApiKey(message?: string): Promise<void> {
  pending ??= new Promise<void>((resolve) => {
    const input = h('input', {
      type: 'password',
      name: 'api_key',
      autocomplete: 'current-password',
      required: true,
      'aria-label': 'API key',
      placeholder: 'API key',
    })
    const dialog = h(
      'dialog',
      { class: 'key-dialog' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', null, 'API key required'),
        h('p', null, message ?? 'This Monlight instance needs an API key. It is kept in this browser only.'),
        h(
          'p',
          { class: 'muted' },
          'The standalone server keeps it in the file ',
          h('code', null, 'api-key'),
          ' of its data folder (',
          h('code', null, 'data/api-key'),
          ' by default) unless API_KEY or API_KEYS is set; it prints where at start.',
        ),
        input,
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Connect')),
      ),
    )
    dialog.addEventListener('close', () => {
      if (input.value) localStorage.setItem(KEY_STORAGE, input.value.trim())
      dialog.remove()
      pending = undefined
      resolve()
    })
    // Escape would close the dialog with no key and loop straight back here; keep it open until a key is given.
    dialog.addEventListener('cancel', (event) => event.preventDefault())
    document.body.append(dialog)
    dialog.showModal()
    input.focus()
  })
  return pending
}

/** Forgets the stored key (a "Sign out" action). */
export function forgetApiKey(): void {
  localStorage.removeItem(KEY_STORAGE)
}
