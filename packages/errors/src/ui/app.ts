import { createApi } from '@monlight/ui-kit'
import './app.css'
import { showDetail } from './detail.js'
import { showList } from './list.js'

const api = createApi()

/** The path below the module root (the page's `<base>`): '' for the list, 'errors/12' for a detail page. */
const route = location.pathname.slice(new URL(document.baseURI).pathname.length)
const detailMatch = /^errors\/(\d+)$/.exec(route)
if (detailMatch) void showDetail(api, Number(detailMatch[1]))
else showList(api)

// Drop-down menus (<details class="menu">): one open at a time, closed by an outside click or Escape.
document.addEventListener('click', (event) => {
  const inside = (event.target as Element).closest('details.menu')
  for (const open of document.querySelectorAll<HTMLDetailsElement>('details.menu[open]'))
    if (open !== inside) open.open = false
})
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return
  for (const open of document.querySelectorAll<HTMLDetailsElement>('details.menu[open]')) {
    open.open = false
    open.querySelector('summary')?.focus()
  }
})
