import type { AgentTool } from "../agent-config.ts";
import type { RelayLog } from "../relay-log.ts";
import { checkArguments } from "./tool-arguments.ts";
import { requestToolEndpoint, ToolRequestError, type ToolAnswer, type ToolRequestFailure } from "./tool-request.ts";

/** How a server tool call ended; anything but `ok` gives the model an `{ "error": … }` result. */
export type ServerToolOutcome =
  "ok" | "invalid_arguments" | "not_configured" | "http_error" | "bad_answer" | "skipped" | ToolRequestFailure;

/** One server tool call as it ran: what the model gets back, and what the records and the log keep. */
export interface ServerToolRun {
  /** The model's call id. */
  id: string;
  name: string;
  outcome: ServerToolOutcome;
  /** The tool message's content for the model: the answer (JSON re-serialized, or text), or `{ "error": … }`. */
  result: string;
  durationMs: number;
  /** The endpoint's HTTP status, when it answered. */
  status?: number;
}

/** Bounds of every server tool call. */
export interface ServerToolLimits {
  /** Largest answer body read (bytes). */
  maxResponseBytes: number;
  /** Longest result handed to the model (characters); a longer one is cut. */
  maxResultChars: number;
  maxRedirects: number;
}

/** Default {@link ServerToolLimits}: 256 KiB read, 16 000 characters to the model, 3 redirects. */
export const DEFAULT_SERVER_TOOL_LIMITS: ServerToolLimits = { maxResponseBytes: 256 * 1024, maxResultChars: 16_000, maxRedirects: 3 };

/** What a call needs besides the tool: the agent's hosts, the environment the header secrets come from. */
export interface ServerToolContext {
  toolHosts: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  limits: ServerToolLimits;
}

/** A server tool (`runs: "server"`, with its endpoint). */
export type ServerTool = AgentTool & { http: NonNullable<AgentTool["http"]> };

/** True for a tool the relay runs. */
export function isServerTool(tool: AgentTool): tool is ServerTool {
  return tool.runs === "server" && tool.http !== undefined;
}

/**
 * Runs one call of a server tool: validates the model's arguments against the tool's JSON Schema (no
 * request when they fail), reads the header secrets from the environment, calls the endpoint
 * (`requestToolEndpoint`: allowlist, address check, limits) and turns its answer into the tool result.
 * Never throws: every failure is a result the model can speak about.
 */
export async function runServerTool(
  tool: ServerTool,
  call: { id: string; arguments: string },
  context: ServerToolContext,
): Promise<ServerToolRun> {
  const started = performance.now();
  const run = (outcome: ServerToolOutcome, result: string, status?: number): ServerToolRun => ({
    id: call.id,
    name: tool.name,
    outcome,
    result: cut(result, context.limits.maxResultChars),
    durationMs: Math.round(performance.now() - started),
    ...(status === undefined ? {} : { status }),
  });
  const error = (outcome: ServerToolOutcome, message: string, status?: number) => run(outcome, JSON.stringify({ error: message }), status);

  const args = checkArguments(tool.parameters, call.arguments);
  if (!args.ok) return error("invalid_arguments", `The call was not made: its arguments do not match the tool's schema (${args.problem}).`);
  const headers: Record<string, string> = {};
  for (const [name, { env }] of Object.entries(tool.http.headers)) {
    const value = context.env[env];
    if (!value) return error("not_configured", `The tool is not configured on the relay (its ${name} header is not set).`);
    headers[name] = value;
  }
  const { method } = tool.http;
  const withBody = method === "POST" || method === "PUT" || method === "PATCH";
  let answer: ToolAnswer;
  try {
    answer = await requestToolEndpoint({
      url: withBody ? tool.http.url : withQuery(tool.http.url, args.value),
      method,
      headers,
      body: withBody ? JSON.stringify(args.value) : undefined,
      toolHosts: context.toolHosts,
      signal: context.signal,
      timeoutMs: tool.http.timeoutMs,
      maxBytes: context.limits.maxResponseBytes,
      maxRedirects: context.limits.maxRedirects,
    });
  } catch (failure) {
    const { outcome, message } = failure instanceof ToolRequestError ? failure : new ToolRequestError("failed", "the request failed");
    return error(outcome, `The tool could not be reached: ${message}.`);
  }
  const { status } = answer;
  if (status < 200 || status > 299) return error("http_error", `The tool's endpoint answered HTTP ${status}.`, status);
  const type = answer.contentType.split(";")[0]!.trim().toLowerCase();
  const text = answer.body.toString("utf8");
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return run("ok", JSON.stringify(JSON.parse(text)), status);
    } catch {
      return error("bad_answer", "The tool's endpoint answered invalid JSON.", status);
    }
  }
  if (type === "" || type.startsWith("text/")) return run("ok", text, status);
  return error("bad_answer", `The tool's endpoint answered ${type}, not JSON or text.`, status);
}

/** A call the relay did not make (`skipped`), with the error result that tells the model why. */
export function skippedRun(call: { id: string; name: string }, reason: string): ServerToolRun {
  return { id: call.id, name: call.name, outcome: "skipped", result: JSON.stringify({ error: `Not run: ${reason}.` }), durationMs: 0 };
}

/**
 * One log line per call: the tool, its outcome and time, with `where` (the request or session id); never
 * its arguments, headers or result.
 */
export function logServerToolRun(log: RelayLog, run: ServerToolRun, where: Record<string, string>): void {
  log({
    level: run.outcome === "ok" ? "info" : "warn",
    msg: "server tool",
    ...where,
    tool: run.name,
    outcome: run.outcome,
    durationMs: run.durationMs,
    ...(run.status === undefined ? {} : { status: run.status }),
  });
}

/** `url` with the arguments' top-level fields as query parameters (objects as JSON text). */
function withQuery(url: string, args: unknown): string {
  const out = new URL(url);
  if (args !== null && typeof args === "object" && !Array.isArray(args)) {
    for (const [key, value] of Object.entries(args)) {
      if (value !== undefined && value !== null) out.searchParams.set(key, typeof value === "string" ? value : JSON.stringify(value));
    }
  }
  return out.href;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (cut at ${max} characters)`;
}
