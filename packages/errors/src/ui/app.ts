import { h, render } from '@monlight/ui-kit'

render(document.body, h('main', null, h('h1', null, 'Monlight errors')))
