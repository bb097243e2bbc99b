/** Runs the model's client tool calls in the page. */
import type { ClientTool } from "../config.ts";
import type { ToolCallDetail } from "../events.ts";

/**
 * Runs one tool call with the host's handler of that name. Never throws: a missing handler, bad JSON
 * arguments or a throwing handler become `error`. `content` is what goes back to the model (JSON text).
 */
export async function runTool(
  tools: Record<string, ClientTool>,
  call: { id: string; name: string; arguments: string },
  signal: AbortSignal,
  now: () => number = () => performance.now(),
): Promise<{ detail: ToolCallDetail; content: string }> {
  const started = now();
  let args: unknown = {};
  let result: unknown;
  let error: string | undefined;
  try {
    args = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    error = `The arguments of tool "${call.name}" are not valid JSON.`;
  }
  const handler = Object.hasOwn(tools, call.name) ? tools[call.name] : undefined;
  if (!error && !handler) error = `No handler for tool "${call.name}" is registered in the page.`;
  if (!error && handler) {
    try {
      result = await handler(args, { callId: call.id, signal });
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  const detail: ToolCallDetail = { id: call.id, name: call.name, arguments: args, durationMs: now() - started };
  if (error === undefined) detail.result = result;
  else detail.error = error;
  return { detail, content: JSON.stringify(error === undefined ? (result ?? null) : { error }) };
}
