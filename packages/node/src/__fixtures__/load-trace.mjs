// Registers a resolve hook that prints each package an import loads (one line per package), for client-path tests.
import { register } from 'node:module'

register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context)
      const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url)
      if (match) console.log('loaded ' + match[1])
      return result
    }`)}`,
)
