/** The JSON log lines of one relay process, kept as they arrive (a `StackOutput` function). */

/** One `msg: "request"` line of the relay's request log. */
export interface RequestLine {
  method: string;
  path: string;
  status: number;
  requestId: string;
}

/** Collects a relay's stdout lines; `requests()` gives its request log so far. */
export class InstanceLog {
  readonly #lines: string[] = [];
  #partial = "";

  /** Pass as the relay's `output`. */
  readonly write = (text: string): void => {
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop()!;
    this.#lines.push(...parts);
  };

  /** Every request line so far, optionally only those of `method` and `path`. */
  requests(method?: string, path?: string): RequestLine[] {
    const lines: RequestLine[] = [];
    for (const line of this.#lines) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as Partial<RequestLine> & { msg?: string };
      if (entry.msg !== "request") continue;
      if ((method && entry.method !== method) || (path && entry.path !== path)) continue;
      lines.push(entry as RequestLine);
    }
    return lines;
  }

  /** The whole output so far (for a failure's message). */
  text(): string {
    return [...this.#lines, this.#partial].join("\n");
  }
}
