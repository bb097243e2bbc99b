import { Hono } from "hono";
import { chatReplyFor, toolCallFor, toolResultReply } from "./demo-text.ts";
import { byteStream, sseFrame, wordDeltas } from "./event-stream.ts";
import { isRecord, readJsonObject } from "./json-body.ts";
import type { RecordedChat, RecordedMessage } from "./recorded-request.ts";
import type { RouteContext } from "./route-context.ts";
import { schemaInstance } from "./schema-instance.ts";
import { StandinError } from "./standin-error.ts";

/**
 * `POST /chat/completions`. Replies with {@link chatReplyFor} the messages: a `chat.completion`
 * object, or with `stream: true` a `chat.completion.chunk` event stream (the role at once, one chunk per
 * word: the first `llmFirstTokenMs` after the request arrived, the others `llmPerTokenMs` apart, then
 * `finish_reason: "stop"`, an optional usage chunk and `[DONE]`). Unstreamed, the object comes when the
 * stream's last word would have.
 *
 * Tools, deterministically: when `tools` are offered and the last message is the user's and names one of
 * them as a word, the reply is a call of that tool (`id` `call_standin_<n>`, arguments `{}`, streamed as
 * `delta.tool_calls` in two argument pieces, `finish_reason: "tool_calls"`). After a `tool` message the
 * reply is text quoting the result: `The tool returned: <content>.`
 *
 * Structured outputs: with `response_format: { type: "json_schema", json_schema: { schema } }` the reply
 * is a JSON text of {@link schemaInstance} (and no tool call).
 */
export function chatRoute(context: RouteContext): Hono {
  let counter = 0;
  return new Hono().post("/chat/completions", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const { model, messages } = body;
    if (typeof model !== "string" || model === "") throw StandinError.badRequest("missing_model", "Expected a string `model`.", "model");
    if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isMessage)) {
      throw StandinError.badRequest("invalid_messages", "Expected a non-empty `messages` array of { role, content }.", "messages");
    }
    const stream = body["stream"] === true;
    const entry = context.record<RecordedChat>({
      route: "chat",
      time: context.now(),
      model,
      messages,
      stream,
      ...(stream ? { aborted: false } : {}),
    });
    const toolNames = Array.isArray(body["tools"]) ? body["tools"].flatMap(offeredToolName) : [];
    const schema = jsonSchemaOf(body["response_format"]);
    const toolName = schema ? undefined : toolCallFor(messages, toolNames);
    const text = schema
      ? JSON.stringify(schemaInstance(schema, messages))
      : toolName
        ? ""
        : (toolResultReply(messages) ?? chatReplyFor(messages));
    const id = `chatcmpl-standin-${++counter}`;
    const call = toolName
      ? { id: `call_standin_${counter}`, type: "function" as const, function: { name: toolName, arguments: "{}" } }
      : undefined;
    const created = Math.floor(context.now() / 1000);
    const usage = usageFor(messages, text);
    const { delays } = context;
    if (!stream) {
      let generated = entry.time + delays.firstToken();
      for (let n = call ? 1 : wordDeltas(text).length - 1; n > 0; n--) generated += delays.nextToken();
      await delays.until(generated, c.req.raw.signal);
      return c.json({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          call
            ? {
                index: 0,
                message: { role: "assistant", content: null, tool_calls: [call], refusal: null },
                logprobs: null,
                finish_reason: "tool_calls",
              }
            : { index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" },
        ],
        usage,
      });
    }
    const includeUsage = isRecord(body["stream_options"]) && body["stream_options"]["include_usage"] === true;
    const chunk = (delta: object, finishReason: "stop" | "tool_calls" | null) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
    async function* frames(signal: AbortSignal) {
      yield sseFrame(chunk({ role: "assistant", content: call ? null : "" }, null));
      // Deltas are due on the provider's schedule from the request's arrival, however fast the client reads.
      let due = entry.time + delays.firstToken();
      const nextToken = async () => {
        await delays.until(due, signal);
        due += delays.nextToken();
      };
      if (call) {
        await nextToken();
        yield sseFrame(
          chunk(
            { tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.function.name, arguments: "{" } }] },
            null,
          ),
        );
        await nextToken();
        yield sseFrame(chunk({ tool_calls: [{ index: 0, function: { arguments: "}" } }] }, null));
        yield sseFrame(chunk({}, "tool_calls"));
      } else {
        for (const content of wordDeltas(text)) {
          await nextToken();
          yield sseFrame(chunk({ content }, null));
        }
        yield sseFrame(chunk({}, "stop"));
      }
      if (includeUsage) yield sseFrame({ ...chunk({}, null), choices: [], usage });
      yield sseFrame("[DONE]");
    }
    const sse = byteStream(frames, () => (entry.aborted = true));
    return c.body(sse, 200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  });
}

function isMessage(value: unknown): value is RecordedMessage {
  return isRecord(value) && typeof value["role"] === "string";
}

/** Rough token counts (one per word) so clients that read `usage` see plausible numbers. */
function usageFor(messages: RecordedMessage[], reply: string) {
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  const prompt_tokens = messages.reduce((sum, m) => sum + words(JSON.stringify(m.content ?? "")), 0);
  const completion_tokens = words(reply);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/** The name of an offered function tool (`{ type: "function", function: { name } }`). */
function offeredToolName(tool: unknown): string[] {
  const fn = isRecord(tool) && isRecord(tool["function"]) ? tool["function"]["name"] : undefined;
  return typeof fn === "string" ? [fn] : [];
}

/** The schema of a `{ type: "json_schema", json_schema: { schema } }` response format, if that is the format. */
function jsonSchemaOf(format: unknown): Record<string, unknown> | undefined {
  if (!isRecord(format) || format["type"] !== "json_schema" || !isRecord(format["json_schema"])) return undefined;
  const schema = format["json_schema"]["schema"];
  return isRecord(schema) ? schema : undefined;
}
