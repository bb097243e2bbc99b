/**
 * The seam between the visitor journeys and a browser engine: what a journey does to a page (open a URL,
 * click, type, run a script) and nothing engine-specific. One implementation per engine: Playwright for
 * Chromium, Puppeteer over WebDriver BiDi for Firefox, WebDriver classic for WebKitGTK.
 */

/** The engines the journeys run in. */
export type Engine = "chromium" | "firefox" | "webkit";

/**
 * The visitor's microphone: a WAV fixture it plays once from when the widget opens it (then a −80 dBFS
 * noise floor, or silence in Chromium), or a refused permission (`getUserMedia` rejects with
 * `NotAllowedError`).
 */
export type MicSetup = { wav: string } | "denied";

/** A point in the viewport, CSS pixels. */
export interface Point {
  x: number;
  y: number;
}

/** One request the page (or one of its workers) made, with the response's HTTP status once known. */
export interface SeenRequest {
  url: string;
  status?: number;
}

/** One browser with one page, driven the same way in every engine. */
export interface BrowserDriver {
  readonly engine: Engine;
  /** Loads `url` and waits for its `load` event; the page's probe (event log, microphone) is then in place. */
  goto(url: string): Promise<void>;
  /** Reloads the page, as {@link goto}. */
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page and returns its (awaited, JSON-serializable) result. `fn` must be self-contained. */
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** A real (trusted) pointer click at `point`, which gives the page user activation. */
  click(point: Point): Promise<void>;
  /** Real key presses of `text` into the focused element. */
  type(text: string): Promise<void>;
  /** Saves a PNG of the viewport to `path`. */
  screenshot(path: string): Promise<void>;
  /**
   * Requests seen so far, where the engine's protocol reports them (Playwright and WebDriver BiDi do;
   * WebKit's WebDriver classic has no network events, so `undefined` there).
   */
  readonly requests: (() => SeenRequest[]) | undefined;
  /** The browser's (and its driver's) stderr so far: shown only when a journey fails. */
  output(): string;
  close(): Promise<void>;
}

/** Keeps the last `limit` characters written to a stream (a browser's stderr can be long and is rarely read). */
export function captureOutput(streams: (NodeJS.ReadableStream | null | undefined)[], limit = 200_000): () => string {
  let text = "";
  for (const stream of streams) {
    stream?.on("data", (chunk: Buffer | string) => {
      text += String(chunk);
      if (text.length > limit) text = text.slice(-limit);
    });
  }
  return () => text;
}

/** Requests matched to their responses by URL (the latest unanswered request for that URL). */
export function requestLog(): { request(url: string): void; response(url: string, status: number): void; list(): SeenRequest[] } {
  const seen: SeenRequest[] = [];
  return {
    request: (url) => void seen.push({ url }),
    response: (url, status) => {
      const entry = seen.findLast((r) => r.url === url && r.status === undefined);
      if (entry) entry.status = status;
    },
    list: () => seen.map((r) => ({ ...r })),
  };
}
