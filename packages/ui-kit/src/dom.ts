type Child = Node | string | number | false | null | undefined | Child[]
type Props = Record<string, string | number | boolean | EventListener | null | undefined>

/**
 * Creates an element. Strings become text nodes, so everything rendered from data is escaped by construction;
 * `on<event>` props add listeners; `false`/`null`/`undefined` props and children are skipped.
 *
 * @example h('a', { href: `./errors/${id}`, class: 'row' }, error.message)
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === false || value == null) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value)
    else if (value === true) element.setAttribute(name, '')
    else element.setAttribute(name, String(value))
  }
  append(element, children)
  return element
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === false || child == null) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

/** Replaces an element's children. */
export function render(parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

/** `document.querySelector` that fails loudly when the page lacks the element. */
export function $<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T {
  const element = root.querySelector<T>(selector)
  if (!element) throw new Error(`missing element ${selector}`)
  return element
}

/** Runs `fn` once the user stops typing for `ms`. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}
