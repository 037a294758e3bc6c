/** One Server-Sent Event: its `event` name (`message` when unnamed), `data` lines joined, and `id`. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/**
 * Read `text/event-stream` from a fetch body (EventSource cannot send the Authorization header), calling
 * `onEvent` for each event as it arrives. Resolves when the stream ends, or when `onEvent` returns
 * true (enough: the body is cancelled). Rejects when reading fails (a dropped connection) or
 * `signal` aborts — which cancels the body itself, as not every fetch ties its body to the signal.
 */
export async function readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: ServerSentEvent) => boolean | undefined | void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const stop = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { value, done } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let nl = buffer.search(/\r\n|\r|\n/); nl >= 0; nl = buffer.search(/\r\n|\r|\n/)) {
        // A CR at the end may be the first half of a CRLF still on its way.
        if (buffer[nl] === '\r' && nl === buffer.length - 1) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (data.length) {
            const stop = onEvent({ event: event || 'message', data: data.join('\n'), id });
            if (stop) return;
          }
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const raw = colon < 0 ? '' : line.slice(colon + 1);
        const text = raw.startsWith(' ') ? raw.slice(1) : raw;
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id') id = text;
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    reader.cancel().catch(() => undefined);
  }
}
