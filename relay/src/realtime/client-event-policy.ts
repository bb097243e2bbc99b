/**
 * Which browser events the relay's realtime WebSocket passes upstream (OpenAI Realtime GA client events).
 * The agent fixes the session: instructions, tools, model, voice, output limits and anything else that
 * changes what the call costs or says are the relay's, so `session.update` and a `response.create` that
 * overrides them are refused, never forwarded.
 */

/** Why an event is refused: an `error` event's `code`, `message` and `param`. */
export interface Refusal {
  code: "policy_refused" | "invalid_event";
  message: string;
  param?: string;
}

/** Client events forwarded as they are. */
const PASSED = new Set([
  "input_audio_buffer.append",
  "input_audio_buffer.commit",
  "input_audio_buffer.clear",
  "conversation.item.truncate",
  "conversation.item.delete",
  "conversation.item.retrieve",
  "response.cancel",
  "output_audio_buffer.clear",
]);

/** Fields of `response.create`'s `response` the browser may set (the rest is the agent's). */
const RESPONSE_FIELDS = new Set(["metadata"]);

/** Roles of conversation items the browser may add (history, typed text); never `system`. */
const ITEM_ROLES = new Set(["user", "assistant"]);

/**
 * The refusal of `event` (parsed JSON from the browser), or undefined when it may go upstream.
 * `toolNames`: the agent's client tools, the only ones a `function_call` item may name (a server tool is
 * the relay's to call). `relayCallIds`: the call ids of server tool calls, which only the relay answers (a
 * `function_call_output` for one would forge the tool's result).
 */
export function screenClientEvent(
  event: Record<string, unknown>,
  toolNames: ReadonlySet<string>,
  relayCallIds: ReadonlySet<string> = new Set(),
): Refusal | undefined {
  const type = event.type;
  if (typeof type !== "string") return { code: "invalid_event", message: "An event needs a string `type`.", param: "type" };
  if (PASSED.has(type)) return undefined;
  if (type === "session.update" || type === "transcription_session.update") {
    return { code: "policy_refused", message: "The agent's session is fixed by the relay; it cannot be updated.", param: "session" };
  }
  if (type === "response.create") {
    const response = event.response;
    if (response === undefined) return undefined;
    if (!isObject(response)) return { code: "invalid_event", message: "`response` must be an object.", param: "response" };
    const fixed = Object.keys(response).find((key) => !RESPONSE_FIELDS.has(key));
    return fixed
      ? { code: "policy_refused", message: `\`response.${fixed}\` is fixed by the agent.`, param: `response.${fixed}` }
      : undefined;
  }
  if (type === "conversation.item.create") return screenItem(event.item, toolNames, relayCallIds);
  return { code: "policy_refused", message: `The relay does not pass ${JSON.stringify(type)} events.`, param: "type" };
}

function screenItem(item: unknown, toolNames: ReadonlySet<string>, relayCallIds: ReadonlySet<string>): Refusal | undefined {
  if (!isObject(item)) return { code: "invalid_event", message: "`item` must be an object.", param: "item" };
  if (item.type === "message") {
    return typeof item.role === "string" && ITEM_ROLES.has(item.role)
      ? undefined
      : { code: "policy_refused", message: "Only user and assistant messages can be added.", param: "item.role" };
  }
  if (item.type === "function_call_output") {
    return typeof item.call_id === "string" && relayCallIds.has(item.call_id)
      ? { code: "policy_refused", message: "This call is a server tool's: only the relay answers it.", param: "item.call_id" }
      : undefined;
  }
  if (item.type === "function_call") {
    return typeof item.name === "string" && toolNames.has(item.name)
      ? undefined
      : { code: "policy_refused", message: "A function call must name one of the agent's tools.", param: "item.name" };
  }
  return {
    code: "policy_refused",
    message: "Only message, function_call and function_call_output items can be added.",
    param: "item.type",
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
