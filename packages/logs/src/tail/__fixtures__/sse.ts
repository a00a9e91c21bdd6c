export interface SseEvent {
  event: string
  data: string
}

/** Reads a streamed response until `stopWhen(textSoFar)` holds or the stream ends, then cancels it. */
export async function readStream(response: Response, stopWhen: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!stopWhen(text)) {
    const { done, value } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  await reader.cancel().catch(() => {})
  return text
}

/** The complete `event:`/`data:` blocks of an SSE text (comments skipped). */
export function parseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = []
  for (const block of text.split('\n\n').slice(0, -1)) {
    const event = /^event: (.*)$/m.exec(block)?.[1]
    if (event) events.push({ event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '' })
  }
  return events
}

/** Reads SSE events until `until(events)` holds. */
export async function readEvents(
  response: Response,
  until: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  return parseEvents(await readStream(response, (text) => until(parseEvents(text))))
}
