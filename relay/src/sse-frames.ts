/** One server-sent event as the SSE spec parses it: the `event` field and the `data` lines joined. */
export interface SseEvent {
  event: string | undefined;
  /** `undefined` when the frame has no `data` field (comments only, or `id`/`retry`). */
  data: string | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder();

/**
 * Where the frame that starts at `from` ends (the index after its blank line), or -1 when `bytes` holds
 * no complete frame from there. Frames end with `\n\n` or `\r\n\r\n`.
 */
export function frameEnd(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(LF, from); i >= 0; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === LF) return i + 2;
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return i + 3;
  }
  return -1;
}

/**
 * Parses one complete frame. The common frame, a single `data: …` line, costs one decode and one slice;
 * anything else is parsed line by line as the SSE spec says (comments, `event`, several `data` lines).
 */
export function parseFrame(frame: Uint8Array): SseEvent {
  const text = decoder.decode(frame);
  if (text.startsWith("data: ")) {
    const newline = text.indexOf("\n");
    if (newline === text.length - 2 || (newline === text.length - 3 && text[newline - 1] === "\r")) {
      return { event: undefined, data: text.slice(6, text[newline - 1] === "\r" ? newline - 1 : newline) };
    }
  }
  let event: string | undefined;
  let data: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") (data ??= []).push(value);
  }
  return { event, data: data?.join("\n") };
}
