/** What a chat completion stream carried, as far as it got. */
export interface SseReplySummary {
  /** Concatenated `choices[0].delta.content`. */
  text: string;
  /** True once `data: [DONE]` arrived. */
  complete: boolean;
  usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
  /** The relay's in-stream error frame, when the upstream failed mid-stream. */
  error: { code: string; message: string } | undefined;
}

/** Callbacks of {@link teeSseReply}. */
export interface SseReplyHooks {
  /** First non-empty content delta. */
  onFirstToken(): void;
  /** Before `[DONE]` (or the end of a stream without it) reaches the client; the final frame waits for it. */
  beforeEnd(summary: SseReplySummary): Promise<void>;
  /** The client went away before the end. */
  onCancel(summary: SseReplySummary): void;
}

function dataOf(frame: string): string {
  return frame.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n");
}

/**
 * Passes an OpenAI-style SSE stream through frame by frame, untouched and unbuffered, while reading the
 * reply text out of it. Only the final frame is held, until `beforeEnd` resolves: that is where the
 * recorder commits the reply, so a client that saw `[DONE]` has its reply on record.
 */
export function teeSseReply(body: ReadableStream<Uint8Array>, hooks: SseReplyHooks): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const summary: SseReplySummary = { text: "", complete: false, usage: undefined, error: undefined };
  let buffer = "";
  let ended = false;

  const inspect = (data: string) => {
    try {
      const chunk = JSON.parse(data) as {
        choices?: { delta?: { content?: string | null } }[];
        usage?: SseReplySummary["usage"] | null;
        error?: SseReplySummary["error"];
      };
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        if (summary.text === "") hooks.onFirstToken();
        summary.text += delta;
      }
      if (chunk.usage) summary.usage = chunk.usage;
      if (chunk.error) summary.error = chunk.error;
    } catch {
      // Not JSON: forwarded as it is, nothing to record.
    }
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          if (!ended) {
            ended = true;
            await hooks.beforeEnd(summary);
          }
          if (buffer) controller.enqueue(encoder.encode(buffer));
          controller.close();
          return;
        }
        buffer += decoder.decode(value, { stream: true });
        let out = "";
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end + 2);
          buffer = buffer.slice(end + 2);
          const data = dataOf(frame);
          if (data === "[DONE]") {
            if (out) controller.enqueue(encoder.encode(out));
            out = "";
            summary.complete = true;
            ended = true;
            await hooks.beforeEnd(summary);
          } else {
            inspect(data);
          }
          out += frame;
        }
        if (out) {
          controller.enqueue(encoder.encode(out));
          return;
        }
      }
    },
    cancel(reason) {
      if (!ended) {
        ended = true;
        hooks.onCancel(summary);
      }
      return reader.cancel(reason);
    },
  });
}
