/** One line of the index page. */
export interface ModuleHealth {
  name: string
  title: string
  ok: boolean
  /** `ok`, or what went wrong. */
  status: string
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for HTML content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

/**
 * The single-port index page: each module with a link and its health. Self-contained (no script, no external
 * asset) and linked relatively, so it works offline and under any proxy prefix.
 */
export function renderIndexPage(input: { version: string; modules: readonly ModuleHealth[] }): string {
  const allOk = input.modules.every((module) => module.ok)
  const items = input.modules
    .map((module) => {
      const name = escapeHtml(module.name)
      const state = module.ok ? 'ok' : 'down'
      return `<li><a href="./${encodeURIComponent(module.name)}/"><span class="name">${name}</span><span class="title">${escapeHtml(module.title)}</span></a><span class="status ${state}" title="${escapeHtml(module.status)}">${escapeHtml(module.status)}</span></li>`
    })
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Monlight</title>
<style>
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5d6878; --bg: #f6f7f9; --card: #fff; --line: #dde1e7; --ok: #1a7f37; --down: #c62828; --link: #0b5cad; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ee; --muted: #9aa4b2; --bg: #12151a; --card: #1b2028; --line: #2c333d; --ok: #4cc46a; --down: #ff6b6b; --link: #7fb6ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
h1 { margin: 0 0 .25rem; font-size: 1.75rem; }
h1 small { color: var(--muted); font-size: .9rem; font-weight: normal; margin-left: .5rem; }
p { color: var(--muted); margin: 0 0 1.5rem; }
ul { list-style: none; margin: 0; padding: 0; border: 1px solid var(--line); border-radius: 8px; background: var(--card); }
li { display: flex; align-items: center; gap: 1rem; padding: .75rem 1rem; }
li + li { border-top: 1px solid var(--line); }
li a { flex: 1; display: flex; gap: 1rem; align-items: baseline; color: var(--link); text-decoration: none; }
li a:hover .name, li a:focus-visible .name { text-decoration: underline; }
a:focus-visible { outline: 2px solid var(--link); outline-offset: 4px; border-radius: 2px; }
.name { font-weight: 600; min-width: 5rem; }
.title { color: var(--muted); }
.status { font-size: .875rem; white-space: nowrap; max-width: 12rem; overflow: hidden; text-overflow: ellipsis; }
.status::before { content: ""; display: inline-block; width: .6rem; height: .6rem; border-radius: 50%; margin-right: .4rem; background: currentColor; }
.ok { color: var(--ok); }
.down { color: var(--down); }
footer { margin-top: 1.5rem; color: var(--muted); font-size: .875rem; }
code { font-size: .85em; }
</style>
</head>
<body>
<main>
<h1>Monlight<small>${escapeHtml(input.version)}</small></h1>
<p>${allOk ? 'All modules are healthy.' : 'Some modules are not healthy.'}</p>
<ul>
${items}
</ul>
<footer>API endpoints need the <code>X-API-Key</code> header. Server health: <a href="./health">./health</a></footer>
</main>
</body>
</html>
`
}
