// A small app bundled and minified by esbuild in the end-to-end test; its error must come back readable.
interface Order {
  id: number
}

function parseOrder(raw: string): Order | null {
  return JSON.parse(raw).order
}

export function handleClick(): void {
  const order = parseOrder('{"order":null}')
  document.title = `order ${(order as Order).id}` // THROWS HERE
}
