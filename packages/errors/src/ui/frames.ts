import { h } from '@monlight/ui-kit'
import type { ExceptionInfo, Frame } from './types.js'
import { kvTable, plural } from './util.js'

/**
 * The exception chain as Sentry shows it: the raised exception first, its causes below; each stack most recent
 * call first, in-app frames highlighted, runs of library frames folded into a toggle.
 */
export function exceptionChain(exceptions: readonly ExceptionInfo[]): HTMLElement {
  const raisedFirst = [...exceptions].reverse()
  return h(
    'div',
    { class: 'chain' },
    raisedFirst.map((exception, i) => exceptionBlock(exception, i > 0)),
  )
}

function exceptionBlock(exception: ExceptionInfo, isCause: boolean): HTMLElement {
  const mechanism = exception.mechanism
  return h(
    'div',
    { class: `exception${isCause ? ' cause' : ''}` },
    isCause && h('div', { class: 'cause-label muted' }, 'Caused by'),
    h(
      'div',
      { class: 'exc-head' },
      h('h4', { class: 'exc-type' }, exception.type || 'Error'),
      exception.module && h('span', { class: 'muted mono small' }, exception.module),
      mechanism?.handled === false &&
        h('span', { class: 'badge red', title: 'Not caught by the app' }, 'unhandled'),
      mechanism?.handled === true &&
        h('span', { class: 'badge green', title: 'Caught and reported by the app' }, 'handled'),
      mechanism?.type && h('span', { class: 'badge gray', title: 'Mechanism' }, mechanism.type),
    ),
    exception.value && h('div', { class: 'exc-value' }, exception.value),
    exception.frames.length > 0
      ? frameList(exception.frames)
      : h('p', { class: 'muted small' }, 'No stack trace.'),
  )
}

function frameList(frames: readonly Frame[]): HTMLElement {
  const newestFirst = [...frames].reverse()
  const hasInApp = newestFirst.some((frame) => frame.in_app)
  // Open the most recent in-app frame with source (or the most recent with source when none is in-app).
  const open = newestFirst.find((frame) => (!hasInApp || frame.in_app) && hasSource(frame))
  const list = h('ol', { class: 'frames', 'aria-label': 'Stack trace, most recent call first' })
  let run: Frame[] = []
  const flush = () => {
    if (run.length > 0) list.append(libraryGroup(run, open))
    run = []
  }
  for (const frame of newestFirst) {
    if (hasInApp && !frame.in_app) {
      run.push(frame)
      continue
    }
    flush()
    list.append(frameItem(frame, frame === open))
  }
  flush()
  return h(
    'div',
    { class: 'stack' },
    h(
      'div',
      { class: 'stack-note muted small' },
      `${plural(frames.length, 'frame')} · most recent call first`,
    ),
    list,
  )
}

/** A run of library frames: hidden behind a "N library frames" toggle. */
function libraryGroup(frames: Frame[], open: Frame | undefined): HTMLElement {
  const inner = h(
    'ol',
    { class: 'frames lib-frames', hidden: true },
    frames.map((frame) => frameItem(frame, frame === open)),
  )
  const label = plural(frames.length, 'library frame')
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'lib-toggle',
      'aria-expanded': 'false',
      onclick: () => {
        const show = inner.hidden
        inner.hidden = !show
        toggle.setAttribute('aria-expanded', String(show))
        toggle.textContent = show ? `Hide ${label}` : `Show ${label}`
      },
    },
    `Show ${label}`,
  )
  return h('li', { class: 'lib-group' }, toggle, inner)
}

function hasSource(frame: Frame): boolean {
  return Boolean(frame.context_line !== undefined || frame.pre_context?.length || frame.post_context?.length)
}

function frameItem(frame: Frame, open: boolean): HTMLElement {
  const title = frameTitle(frame)
  const vars = frame.vars && Object.keys(frame.vars).length > 0 ? frame.vars : undefined
  const className = `frame ${frame.in_app ? 'in-app' : 'lib'}`
  if (!hasSource(frame) && !vars)
    return h('li', { class: className }, h('div', { class: 'frame-line' }, title))
  const details = h(
    'details',
    { open },
    h('summary', { class: 'frame-line' }, title),
    hasSource(frame) && codeBlock(frame),
    vars &&
      h(
        'div',
        { class: 'vars' },
        h('div', { class: 'vars-title muted small' }, 'Local variables'),
        kvTable(Object.entries(vars), 'vars-table'),
      ),
  )
  return h('li', { class: className }, details)
}

function frameTitle(frame: Frame): (Node | string | false | undefined)[] {
  const file = frame.filename ?? frame.module ?? frame.abs_path ?? '<unknown>'
  const location =
    frame.lineno !== undefined ? `${frame.lineno}${frame.colno !== undefined ? `:${frame.colno}` : ''}` : ''
  return [
    h(
      'span',
      { class: 'frame-where' },
      h('span', { class: 'file', title: frame.abs_path ?? file }, file),
      frame.function && [h('span', { class: 'muted' }, ' in '), h('span', { class: 'fn' }, frame.function)],
      location && [h('span', { class: 'muted' }, ' at line '), h('span', { class: 'loc' }, location)],
    ),
    frame.in_app && h('span', { class: 'badge blue in-app-badge' }, 'In app'),
    frame.unmapped_reason &&
      h(
        'span',
        { class: 'unmapped', title: 'The source map did not apply to this frame' },
        `not source-mapped: ${frame.unmapped_reason}`,
      ),
  ]
}

/** pre_context / context_line / post_context with line numbers, the line that ran highlighted. */
function codeBlock(frame: Frame): HTMLElement {
  const pre = frame.pre_context ?? []
  const post = frame.post_context ?? []
  const lines: [string, boolean][] = [
    ...pre.map((line): [string, boolean] => [line, false]),
    ...(frame.context_line !== undefined ? [[frame.context_line, true] as [string, boolean]] : []),
    ...post.map((line): [string, boolean] => [line, false]),
  ]
  const first =
    frame.lineno !== undefined && frame.context_line !== undefined ? frame.lineno - pre.length : undefined
  return h(
    'div',
    { class: 'code' },
    h(
      'table',
      null,
      h(
        'tbody',
        null,
        lines.map(([text, active], i) =>
          h(
            'tr',
            { class: active ? 'active' : null },
            h(
              'td',
              { class: 'ln', 'aria-hidden': first === undefined ? 'true' : null },
              first === undefined ? '' : first + i,
            ),
            h('td', { class: 'src' }, text === '' ? ' ' : text),
          ),
        ),
      ),
    ),
  )
}
