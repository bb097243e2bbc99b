import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { HttpError } from "./http-error.ts";

/** Bounds of reading a whole upstream body (an error answer, a JSON answer); streamed bodies are not read whole. */
export interface WholeBodyLimits {
  /** Largest body read whole (bytes). */
  maxBytes: number;
  /** Longest time to read it (ms). */
  timeoutMs: number;
}

/**
 * An upstream's answer as the SDK sees it (status and headers of a `Response`), whose body stays the
 * Node stream it arrived on: the relay passes it on without a web-stream layer in between. `text()`,
 * `json()` and `arrayBuffer()` read that stream, within `limits` (else they reject and the stream is
 * destroyed), so the SDK's error and JSON paths work unchanged and an upstream cannot make the relay
 * hold an endless or endlessly slow body.
 */
export class UpstreamResponse extends Response {
  readonly stream: IncomingMessage;
  readonly #limits: WholeBodyLimits;

  constructor(stream: IncomingMessage, limits: WholeBodyLimits) {
    const headers = new Headers();
    for (let i = 0; i < stream.rawHeaders.length; i += 2) headers.append(stream.rawHeaders[i]!, stream.rawHeaders[i + 1]!);
    super(null, { status: stream.statusCode ?? 502, statusText: stream.statusMessage ?? "", headers });
    this.stream = stream;
    this.#limits = limits;
  }

  // Fields rather than methods: the platform's types declare these as properties.
  override readonly arrayBuffer = async (): Promise<ArrayBuffer> => {
    const { maxBytes, timeoutMs } = this.#limits;
    const timer = setTimeout(() => this.stream.destroy(new Error(`The upstream body took longer than ${timeoutMs} ms.`)), timeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of this.stream) {
        size += (chunk as Buffer).byteLength;
        if (size > maxBytes) throw new Error(`The upstream body is over ${maxBytes} bytes.`);
        chunks.push(chunk as Buffer);
      }
    } finally {
      clearTimeout(timer);
    }
    const all = Buffer.concat(chunks);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  };

  override readonly text = async (): Promise<string> => new TextDecoder().decode(await this.arrayBuffer());

  override readonly json = async (): Promise<unknown> => JSON.parse(await this.text());
}

/**
 * The body of an upstream answer as a Node stream: the stream it arrived on when it was fetched with
 * {@link createUpstreamFetch}, else (another runtime's `fetch`) its web body adapted.
 *
 * @throws HttpError 502 `upstream_error` when the answer has no body
 */
export function upstreamStream(response: Response, stage: string): Readable {
  if (response instanceof UpstreamResponse) return response.stream;
  if (!response.body) throw new HttpError(502, "upstream_error", `The ${stage} upstream answered without a body.`);
  return Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
}

/** Default {@link WholeBodyLimits}: 1 MiB (upstream JSON answers and errors are small), 30 s. */
export const DEFAULT_WHOLE_BODY_LIMITS: WholeBodyLimits = { maxBytes: 1 << 20, timeoutMs: 30_000 };

/**
 * A `fetch` for the OpenAI SDK clients on `node:http(s)` with keep-alive connection pools. It answers
 * {@link UpstreamResponse}s, whose bodies are read whole within `limits`. Aborting `init.signal` destroys
 * the request and its response stream at once. String and byte bodies are sent as they are; other bodies
 * (the SDK's multipart `FormData`) are encoded by the platform's `Response` and sent in one piece with
 * their length. A request whose pooled connection turns out closed by the upstream (`ECONNRESET` on a
 * reused socket, before any answer) is sent once more on a new connection.
 */
export function createUpstreamFetch(limits: WholeBodyLimits = DEFAULT_WHOLE_BODY_LIMITS): typeof fetch {
  const agents = { "http:": new HttpAgent({ keepAlive: true }), "https:": new HttpsAgent({ keepAlive: true }) };
  const upstreamFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const protocol = url.protocol as keyof typeof agents;
    if (!(protocol in agents)) throw new TypeError(`Unsupported upstream protocol ${url.protocol}`);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    let body: string | Uint8Array | undefined;
    if (typeof init.body === "string" || init.body instanceof Uint8Array) body = init.body;
    else if (init.body != null) {
      // The SDK's multipart FormData (a transcription, already held in memory): encoded by the platform.
      const encoded = new Response(init.body);
      headers["content-type"] ??= encoded.headers.get("content-type") ?? "application/octet-stream";
      body = new Uint8Array(await encoded.arrayBuffer());
    }
    if (body !== undefined) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const attempt = (again: boolean) =>
      new Promise<Response>((resolve, reject) => {
        const send = protocol === "https:" ? httpsRequest : httpRequest;
        const req = send(url, { method: init.method ?? "GET", headers, agent: agents[protocol] });
        const onAbort = () =>
          req.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException("The operation was aborted.", "AbortError"));
        signal?.addEventListener("abort", onAbort, { once: true });
        req.once("response", (res) => {
          res.once("close", () => signal?.removeEventListener("abort", onAbort));
          resolve(new UpstreamResponse(res, limits));
        });
        req.once("error", (error: NodeJS.ErrnoException) => {
          signal?.removeEventListener("abort", onAbort);
          // A pooled connection the upstream closed as it was reused (its keep-alive timeout): the request
          // never reached it, so it goes once more on a new connection (Node's documented remedy).
          if (again && req.reusedSocket && error.code === "ECONNRESET" && !signal?.aborted) resolve(attempt(false));
          else reject(error);
        });
        req.end(body);
      });
    return attempt(true);
  };
  return upstreamFetch as typeof fetch;
}
