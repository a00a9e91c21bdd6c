import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

export interface UploadOptions {
  /** The relay's base URL, e.g. `http://localhost:5013` (or where it is mounted). */
  url: string
  /** An admin key (ADMIN_API_KEY). */
  apiKey: string
  project: string
  release: string
  /** Where the files are served, e.g. `/static` or `https://cdn.example.com/assets`. Default `` (the root). */
  urlPrefix?: string
  /** The build folder; every `*.map` below it is uploaded. */
  dir: string
  /** Per request. Default 30 000 ms. */
  timeoutMs?: number
}

export interface UploadResult {
  /** The URLs the maps were stored for, e.g. `/static/js/app.js`. */
  uploaded: string[]
}

/**
 * Uploads every `.map` file below `dir` to the relay, one multipart request per file (each within the relay's
 * size limit). The map `dir/js/app.js.map` is stored for `<urlPrefix>/js/app.js`. What `monlight sourcemaps
 * upload --release R --url-prefix /static dist/` runs.
 */
export async function uploadSourceMaps(options: UploadOptions): Promise<UploadResult> {
  const files = await findMaps(options.dir)
  if (files.length === 0) throw new Error(`no .map files found below ${options.dir}`)
  const endpoint = `${options.url.replace(/\/+$/, '')}/api/source-maps`
  const uploaded: string[] = []
  for (const file of files) {
    const name = relative(options.dir, file).split(sep).join('/')
    const form = new FormData()
    form.set('project', options.project)
    form.set('release', options.release)
    form.set('url_prefix', options.urlPrefix ?? '')
    form.set('file', new Blob([await readFile(file)], { type: 'application/json' }), name)
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'x-api-key': options.apiKey },
      body: form,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`uploading ${name} failed: ${response.status} ${text.slice(0, 300)}`)
    uploaded.push(...(JSON.parse(text) as { files: string[] }).files)
  }
  return { uploaded }
}

async function findMaps(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.map'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}
