import { MonlightError, readText } from '@monlight/core'
import type { H3Event } from 'h3'

export interface SourceMapUpload {
  project: string
  release: string
  file_url: string
  map_content: string
}

/**
 * A multipart upload of `.map` files, as a build tool sends it: fields `project`, `release`, optional
 * `url_prefix` (e.g. `/static`) or `file_url` (one file only), and the files. A file `js/app.js.map` is stored
 * for `<url_prefix>/js/app.js`, the URL the browser loads.
 */
export async function readSourceMapUploads(event: H3Event): Promise<SourceMapUpload[]> {
  // Read through the body limit first (a chunked upload is cut off at it), then let undici split the parts.
  const body = await readText(event)
  let form: FormData
  try {
    form = await new Response(body, {
      headers: { 'content-type': event.req.headers.get('content-type')! },
    }).formData()
  } catch {
    throw new MonlightError(
      'BAD_REQUEST',
      'Invalid multipart body: send fields project, release and .map files',
    )
  }
  const field = (name: string) => {
    const value = form.get(name)
    return typeof value === 'string' ? value : undefined
  }
  const project = field('project')
  const release = field('release')
  if (project === undefined) throw new MonlightError('VALIDATION_FAILED', 'Missing required field: project')
  if (release === undefined) throw new MonlightError('VALIDATION_FAILED', 'Missing required field: release')
  const files = [...form.values()].filter((value) => typeof value !== 'string')
  if (files.length === 0)
    throw new MonlightError('VALIDATION_FAILED', 'Missing required field: file (a .map file)')
  const fileUrl = field('file_url')
  if (fileUrl !== undefined && files.length > 1) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      "Field 'file_url' names one file: upload the others separately or use url_prefix",
    )
  }
  const prefix = (field('url_prefix') ?? '').replace(/\/+$/, '')
  const uploads: SourceMapUpload[] = []
  for (const file of files) {
    const path = file.name
      .replace(/\\/g, '/')
      .replace(/^\.?\/+/, '')
      .replace(/\.map$/, '')
    uploads.push({
      project,
      release,
      file_url: fileUrl ?? `${prefix}/${path}`,
      map_content: await file.text(),
    })
  }
  return uploads
}
