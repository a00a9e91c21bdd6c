import {
  type Api,
  ApiError,
  askForApiKey,
  createApi,
  formatDateTime,
  formatNumber,
  h,
  moduleNav,
  render,
  timeAgo,
} from '@monlight/ui-kit'
import { SDK_SNIPPETS, sentryDsn } from '../service/snippets.js'
import './app.css'

interface DsnKey {
  id: number
  public_key: string
  project: string
  project_id: number
  active: boolean
  created_at: string
  allowed_origins: string[]
  rate_limit: number | null
}

interface SourceMap {
  id: number
  project: string
  /** Null for a map from sentry-cli or a bundler plugin uploaded without a release (found by debug ID). */
  release: string | null
  file_url: string
  debug_id: string | null
  size: number
  uploaded_at: string
}

const api = createApi()
/** The relay's own URL (the module root), which the SDK snippet points at. */
const endpoint = new URL('.', document.baseURI).href.replace(/\/$/, '')

const keysSection = h('section', { 'aria-labelledby': 'keys-title' })
const mapsSection = h('section', { 'aria-labelledby': 'maps-title' })
render(
  document.body,
  h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: './' }, 'Browser Relay'),
    moduleNav('relay'),
    h('span', { class: 'spacer' }),
  ),
  h('main', null, keysSection, mapsSection),
)
void showKeys(api)
void showMaps(api)

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.detail : String(error)
}

/** A list table, or a hint when there are no rows. */
function listTable(titles: string[], rows: HTMLElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h('div', { class: 'error-banner empty' }, empty)
  return h(
    'table',
    { class: 'list' },
    h('thead', null, h('tr', null, ...titles.map((title) => h('th', null, title)))),
    h('tbody', null, ...rows),
  )
}

/** Renders what `build` makes into `target`, or the failure. */
async function fill(target: HTMLElement, build: () => Promise<HTMLElement>): Promise<void> {
  try {
    render(target, await build())
  } catch (error) {
    render(target, h('div', { class: 'error-banner' }, errorText(error)))
  }
}

/** Runs an admin action, says how it went in `status`, then reloads the list; the result, unless it failed. */
async function act<T>(
  status: HTMLElement,
  work: () => Promise<T>,
  done: string | ((result: T) => string),
  reload: () => Promise<void>,
): Promise<T | undefined> {
  try {
    const result = await work()
    render(status, typeof done === 'string' ? done : done(result))
    await reload()
    return result
  } catch (error) {
    render(status, errorText(error))
    return undefined
  }
}

function splitOrigins(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((origin) => origin.trim())
    .filter(Boolean)
}

// ---------------------------------------------------------------- DSN keys

/** The key's Sentry DSN as this page reaches the relay (under whatever prefix it is mounted). */
const dsnOf = (key: DsnKey) => sentryDsn(key, endpoint)

/** Sentry SDKs first (they take the DSN as it is), then Monlight's own browser SDK. */
const SNIPPETS = [
  ...SDK_SNIPPETS.map(({ name, code }) => ({
    name: `Sentry ${name}`,
    code: (key: DsnKey) => code(dsnOf(key)),
  })),
  {
    name: '@monlight/browser',
    code: (key: DsnKey) =>
      `import { init } from '@monlight/browser'\n\ninit({\n  dsn: '${key.public_key}',\n  endpoint: '${endpoint}',\n  release: '1.0.0',\n})`,
  },
]

async function showKeys(api: Api): Promise<void> {
  const status = h('p', { class: 'status-line muted', role: 'status' })
  const project = h('input', { name: 'project', required: true, maxlength: 100, placeholder: 'my-site' })
  const origins = h('input', {
    name: 'allowed_origins',
    placeholder: 'https://app.example.com, https://*.example.com',
  })
  const snippetBox = h('div', { class: 'snippet' })
  const table = h('div')

  const load = () =>
    fill(table, async () => {
      const { keys } = await api.get<{ keys: DsnKey[] }>('api/dsn-keys')
      return listTable(
        ['Project', 'DSN', 'Status', 'Allowed origins', 'Rate limit', 'Created', ''],
        keys.map(keyRow),
        'No DSN keys yet: create one for each site that reports to Monlight.',
      )
    })

  const copyButton = (label: string, text: () => string, copied: HTMLElement) =>
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          navigator.clipboard
            .writeText(text())
            .then(() => render(copied, 'Copied'))
            .catch(() => render(copied, 'Select the text and copy it'))
        },
      },
      label,
    )

  const showSnippet = (key: DsnKey) => {
    const copied = h('span', { class: 'muted', role: 'status' })
    const code = h('pre', { class: 'mono', 'data-testid': 'snippet' }, SNIPPETS[0]!.code(key))
    const language = h(
      'select',
      {
        'aria-label': 'SDK',
        onchange: () => render(code, SNIPPETS[Number(language.value)]!.code(key)),
      },
      ...SNIPPETS.map(({ name }, index) => h('option', { value: String(index) }, name)),
    ) as HTMLSelectElement
    render(
      snippetBox,
      h(
        'div',
        { class: 'card' },
        h('strong', null, `Report ${key.project} to Monlight`),
        h(
          'p',
          null,
          'DSN for any Sentry SDK: ',
          h('code', { class: 'mono', 'data-testid': 'dsn' }, dsnOf(key)),
          ' ',
          copyButton('Copy DSN', () => dsnOf(key), copied),
        ),
        h('label', { class: 'field' }, 'SDK ', language),
        ' ',
        copyButton('Copy snippet', () => code.textContent ?? '', copied),
        ' ',
        copied,
        code,
      ),
    )
  }

  const update = (key: DsnKey, body: Record<string, unknown>, done: string) =>
    act(status, () => send('PATCH', `api/dsn-keys/${key.id}`, body), done, load)

  const keyRow = (key: DsnKey) => {
    const originsInput = h('input', {
      value: key.allowed_origins.join(', '),
      'aria-label': `Allowed origins for ${key.project}`,
      // The relay's rule (receivers/edge.ts): the key's origins plus CORS_ORIGINS; none at all admits any origin.
      placeholder: 'CORS_ORIGINS (any origin if unset)',
      title: "Origins this key's browsers may send from, besides CORS_ORIGINS; with neither, any origin may",
    })
    return h(
      'tr',
      { class: key.active ? '' : 'inactive' },
      h('td', null, key.project),
      h(
        'td',
        { class: 'mono key', title: `public key ${key.public_key}, project id ${key.project_id}` },
        dsnOf(key),
      ),
      h(
        'td',
        null,
        h('span', { class: `badge ${key.active ? 'green' : 'gray'}` }, key.active ? 'active' : 'inactive'),
      ),
      h(
        'td',
        { class: 'origins' },
        h(
          'form',
          {
            class: 'actions',
            onsubmit: (event: Event) => {
              event.preventDefault()
              void update(
                key,
                { allowed_origins: splitOrigins(originsInput.value) },
                `Origins of ${key.project} saved`,
              )
            },
          },
          originsInput,
          h('button', { type: 'submit' }, 'Save'),
        ),
      ),
      h(
        'td',
        null,
        key.rate_limit === null
          ? h('span', { class: 'muted' }, 'default')
          : `${formatNumber(key.rate_limit)}/min`,
      ),
      h('td', { title: formatDateTime(key.created_at) }, timeAgo(key.created_at)),
      h(
        'td',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => showSnippet(key) }, 'Snippet'),
        key.active
          ? h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: () => {
                  if (!confirm(`Deactivate the key of ${key.project}? Browsers using it will get 401.`))
                    return
                  void act(
                    status,
                    () => api.delete(`api/dsn-keys/${key.id}`),
                    `Key of ${key.project} deactivated`,
                    load,
                  )
                },
              },
              'Deactivate',
            )
          : h(
              'button',
              {
                type: 'button',
                onclick: () => update(key, { active: true }, `Key of ${key.project} reactivated`),
              },
              'Reactivate',
            ),
      ),
    )
  }

  render(
    keysSection,
    h('h2', { id: 'keys-title' }, 'DSN keys'),
    h(
      'form',
      {
        class: 'toolbar',
        onsubmit: async (event: Event) => {
          event.preventDefault()
          const body = { project: project.value.trim(), allowed_origins: splitOrigins(origins.value) }
          const key = await act(
            status,
            () => api.post<DsnKey>('api/dsn-keys', body),
            (created) => `Key created for ${created.project}`,
            load,
          )
          if (!key) return
          project.value = ''
          origins.value = ''
          showSnippet(key)
        },
      },
      h('label', { class: 'field' }, 'Project', project),
      h('label', { class: 'field' }, 'Allowed origins (besides CORS_ORIGINS)', origins),
      h('button', { type: 'submit', class: 'primary' }, 'Create key'),
    ),
    status,
    table,
    snippetBox,
  )
  await load()
}

// ---------------------------------------------------------------- source maps

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${formatNumber(Math.round(bytes / 1024))} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

async function showMaps(api: Api): Promise<void> {
  const status = h('p', { class: 'status-line muted', role: 'status' })
  const project = h('input', { name: 'project', required: true, maxlength: 100, placeholder: 'my-site' })
  const release = h('input', { name: 'release', required: true, maxlength: 100, placeholder: '1.0.0' })
  const prefix = h('input', { name: 'url_prefix', placeholder: '/static' })
  const files = h('input', { name: 'file', type: 'file', accept: '.map', multiple: true, required: true })
  const table = h('div')

  const load = () =>
    fill(table, async () => {
      const { source_maps: maps } = await api.get<{ source_maps: SourceMap[] }>('api/source-maps')
      return listTable(
        ['Project', 'Release', 'File URL', 'Debug ID', 'Size', 'Uploaded', ''],
        maps.map(mapRow),
        'No source maps yet: upload the .map files of a release here, or with sentry-cli or a Sentry bundler plugin.',
      )
    })

  const mapRow = (map: SourceMap) =>
    h(
      'tr',
      null,
      h('td', null, map.project),
      h('td', null, map.release ?? '—'),
      h('td', { class: 'mono truncate', title: map.file_url }, map.file_url),
      h(
        'td',
        { class: 'mono nowrap', title: map.debug_id ?? 'none: found by release and file URL' },
        map.debug_id?.slice(0, 8) ?? '—',
      ),
      h('td', { class: 'nowrap' }, formatSize(map.size)),
      h('td', { title: formatDateTime(map.uploaded_at) }, timeAgo(map.uploaded_at)),
      h(
        'td',
        null,
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: () => {
              if (!confirm(`Delete the map of ${map.file_url} (${map.release ?? map.debug_id})?`)) return
              void act(
                status,
                () => api.delete(`api/source-maps/${map.id}`),
                `Deleted the map of ${map.file_url}`,
                load,
              )
            },
          },
          'Delete',
        ),
      ),
    )

  render(
    mapsSection,
    h('h2', { id: 'maps-title' }, 'Source maps'),
    h(
      'form',
      {
        class: 'toolbar',
        onsubmit: async (event: Event) => {
          event.preventDefault()
          const form = new FormData()
          form.set('project', project.value.trim())
          form.set('release', release.value.trim())
          form.set('url_prefix', prefix.value.trim())
          for (const file of files.files ?? []) form.append('file', file, file.name)
          const uploaded = await act(
            status,
            () => send<{ files: string[] }>('POST', 'api/source-maps', form),
            (result) => `Uploaded ${result.files.join(', ')}`,
            load,
          )
          if (uploaded) files.value = ''
        },
      },
      h('label', { class: 'field' }, 'Project', project),
      h('label', { class: 'field' }, 'Release', release),
      h('label', { class: 'field' }, 'URL prefix', prefix),
      h('label', { class: 'field' }, '.map files', files),
      h('button', { type: 'submit', class: 'primary' }, 'Upload'),
    ),
    status,
    table,
  )
  await load()
}

/** Calls the kit's API client cannot make (PATCH, multipart), with the same key handling. */
async function send<T>(method: string, path: string, body: FormData | Record<string, unknown>): Promise<T> {
  for (;;) {
    const key = localStorage.getItem('monlight.api_key')
    const headers: Record<string, string> = key ? { 'x-api-key': key } : {}
    if (!(body instanceof FormData)) headers['content-type'] = 'application/json'
    const response = await fetch(new URL(path, document.baseURI), {
      method,
      headers,
      body: body instanceof FormData ? body : JSON.stringify(body),
    })
    if (response.status === 401) {
      await askForApiKey(key ? 'That key was refused. Enter a valid API key.' : undefined)
      continue
    }
    const data = await response.json().catch(() => ({}))
    if (!response.ok)
      throw new ApiError(response.status, data.detail ?? `${response.status} ${response.statusText}`)
    return data as T
  }
}
