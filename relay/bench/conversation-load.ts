/**
 * The capacity benchmark's load generator: simulated conversations, each doing one turn every
 * {@link TURN_MS} (a streamed transcription of a short WAV, a streamed chat reply, then two streamed
 * speech replies, one after the other, as the widget fetches them). `node:http` with a keep-alive pool,
 * so the generator's own CPU cost stays low and alike for every path.
 */
import { Agent, request } from "node:http";

/** Time between the starts of a conversation's turns, ms. */
export const TURN_MS = 8000;

/** The requests of one turn, in order. */
export const KINDS = ["stt", "chat", "tts", "tts"] as const;
export type Kind = (typeof KINDS)[number];

/** One request as the path wants it: URL, headers and body. */
export interface PathRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Where a path's conversations send their requests. */
export interface ConversationPath {
  /** Opens a conversation (the relay's session); resolves with the headers its requests carry. */
  open(): Promise<Record<string, string>>;
  /** Request `kind` (the `index`th of its kind in the turn) with a conversation's headers. */
  request(kind: Kind, index: number, headers: Record<string, string>): PathRequest;
}

const pool = new Agent({ keepAlive: true, maxSockets: Infinity });

/** Time to first body byte of one request, ms; rejects on a non-2xx status or a broken stream. */
export function timeToFirstByte(req: PathRequest): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      req.url,
      { method: "POST", agent: pool, headers: { "content-length": Buffer.byteLength(req.body), ...req.headers } },
      (res) => {
        let ttfb = -1;
        res.on("data", () => {
          if (ttfb < 0) ttfb = performance.now() - started;
        });
        res.once("error", reject);
        res.once("end", () => (res.statusCode! < 300 ? resolve(ttfb) : reject(new Error(`${req.url}: HTTP ${res.statusCode}`))));
      },
    );
    outgoing.once("error", reject);
    outgoing.end(req.body);
  });
}

/** The body of one request as text; rejects on a non-2xx status. */
export function responseText(req: PathRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      req.url,
      { method: "POST", agent: pool, headers: { "content-length": Buffer.byteLength(req.body), ...req.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("error", reject);
        res.once("end", () =>
          res.statusCode! < 300 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${req.url}: HTTP ${res.statusCode}`)),
        );
      },
    );
    outgoing.once("error", reject);
    outgoing.end(req.body);
  });
}

/** What the conversations of one step did. */
export interface StepLoad {
  /** Time to first byte of each request started inside the window, by kind, ms. */
  ttfb: Record<"stt" | "chat" | "tts", number[]>;
  /** Turns started inside the window. */
  turns: number;
  /** Requests that failed (status or stream), anywhere in the step. */
  failures: number;
  /** The window's start and end (`performance.now()`). */
  window: [number, number];
}

/**
 * `n` conversations, the first turns spread evenly over one {@link TURN_MS} so turns start at a steady
 * rate from the beginning. Requests started in the `settleMs` after the start (while the number in
 * flight builds up) are not counted; the window then lasts `windowMs`, after which no new request starts
 * and the step ends when the last one in flight has. `onWindow` runs at the window's start and end.
 */
export async function runConversations(
  path: ConversationPath,
  options: { n: number; settleMs: number; windowMs: number; onWindow: (edge: "start" | "end") => void },
): Promise<StepLoad> {
  const t0 = performance.now();
  const window: [number, number] = [t0 + options.settleMs, t0 + options.settleMs + options.windowMs];
  const load: StepLoad = { ttfb: { stt: [], chat: [], tts: [] }, turns: 0, failures: 0, window };
  const edges = [
    setTimeout(() => options.onWindow("start"), options.settleMs),
    setTimeout(() => options.onWindow("end"), options.settleMs + options.windowMs),
  ];
  const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));
  const conversation = async (i: number) => {
    let turnAt = t0 + (i / options.n) * TURN_MS;
    await sleepUntil(turnAt);
    const headers = await openConversation(path, load);
    if (!headers) return;
    while (turnAt < window[1]) {
      const counted = turnAt >= window[0];
      if (counted) load.turns++;
      const seen = { stt: 0, chat: 0, tts: 0 };
      for (const kind of KINDS) {
        const started = performance.now();
        if (started >= window[1]) break;
        try {
          const ttfb = await timeToFirstByte(path.request(kind, seen[kind]++, headers));
          if (started >= window[0]) load.ttfb[kind].push(ttfb);
        } catch {
          load.failures++;
          break;
        }
      }
      turnAt += TURN_MS;
      if (turnAt >= window[1]) break;
      await sleepUntil(turnAt);
    }
  };
  await Promise.all(Array.from({ length: options.n }, (_, i) => conversation(i)));
  for (const edge of edges) clearTimeout(edge);
  return load;
}

async function openConversation(path: ConversationPath, load: StepLoad): Promise<Record<string, string> | undefined> {
  try {
    return await path.open();
  } catch {
    load.failures++;
    return undefined;
  }
}

/** The `p` quantile (0–1) of `values`, or NaN when there are none. */
export function quantile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
