import type { AgentConfig } from "../agent-config.ts";
import type { ChatRecord } from "../recorder.ts";
import type { RelayLog } from "../relay-log.ts";
import type { StreamRounds } from "../routes/upstream-stage.ts";
import type { EventVerdict } from "../sse-pass-through.ts";
import { TOOL_STATUS_FIELD, type ToolStatus, type ToolStatusChunk } from "../protocol.ts";
import { isServerTool, logServerToolRun, runServerTool, skippedRun, type ServerTool, type ServerToolContext } from "./run-server-tool.ts";

/** A message of the LLM request the relay builds (OpenAI's shapes, as far as the loop writes them). */
export type LoopMessage =
  | { role: "system" | "user" | "assistant"; content: string | null; tool_calls?: LoopToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

interface LoopToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** The parts of a chat completion chunk the loop reads. */
interface Chunk {
  choices?: { delta?: ChunkDelta; finish_reason?: string | null }[];
}
interface ChunkDelta {
  content?: string | null;
  tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
  [key: string]: unknown;
}

/** A call assembled from this round's deltas. */
interface RoundCall {
  id: string;
  name: string;
  arguments: string;
  /** Decided by the name in the call's first delta: server calls never reach the browser. */
  server: boolean;
}

/** What {@link ServerToolRounds} needs besides the agent. */
export interface ServerToolRoundsOptions {
  agent: Pick<AgentConfig, "tools" | "toolHosts">;
  /** The messages of the first LLM request (system prompt first); the loop appends each round's calls and results. */
  messages: LoopMessage[];
  /** Tool rounds this request may still run (the agent's `maxToolRounds` less the turn's earlier client rounds). */
  roundsLeft: number;
  /** Asks the LLM for the next round; `toolChoice: "none"` once no round is left. */
  request(messages: LoopMessage[], toolChoice: "none" | undefined, signal: AbortSignal): Promise<Response>;
  record: ChatRecord;
  context: Omit<ServerToolContext, "signal">;
  log: RelayLog;
  requestId: string;
}

/**
 * The tool loop of one chat request whose agent has server tools (a {@link StreamRounds}): the model's
 * calls of server tools are kept from the browser, run on the relay (`runServerTool`), and their results
 * go back to the model, whose next round continues the same response stream; the browser sees a
 * {@link ToolStatusChunk} per call instead. Client tool calls pass through as before and end the loop:
 * the page runs them. A round that calls both kinds runs neither server call (they are recorded as
 * `skipped`): the page's next request could not carry their results.
 */
export class ServerToolRounds implements StreamRounds {
  readonly #options: ServerToolRoundsOptions;
  readonly #tools: Map<string, ServerTool>;
  #roundsLeft: number;
  #calls = new Map<number, RoundCall>();
  #text = "";
  #pending: RoundCall[] = [];

  constructor(options: ServerToolRoundsOptions) {
    this.#options = options;
    this.#tools = new Map(options.agent.tools.filter(isServerTool).map((tool) => [tool.name, tool]));
    this.#roundsLeft = options.roundsLeft;
  }

  filter(data: unknown): EventVerdict {
    const choice = (data as Chunk).choices?.[0];
    const delta = choice?.delta;
    if (!choice || !delta) return "forward";
    if (delta.content) this.#text += delta.content;
    if (!delta.tool_calls && choice.finish_reason !== "tool_calls") return "forward";
    const kept = (delta.tool_calls ?? []).filter((part) => !this.#add(part).server);
    const clientCalls = [...this.#calls.values()].some((call) => !call.server);
    const finish = choice.finish_reason === "tool_calls" && !clientCalls ? null : choice.finish_reason;
    if (kept.length === (delta.tool_calls?.length ?? 0) && finish === choice.finish_reason) return "forward";
    const { tool_calls: _calls, ...rest } = delta;
    const newDelta = kept.length ? { ...rest, tool_calls: kept } : rest;
    if (Object.keys(newDelta).length === 0 && !finish) return "drop";
    return { replace: { ...(data as object), choices: [{ ...choice, delta: newDelta, finish_reason: finish ?? null }] } };
  }

  continues(): boolean {
    const calls = [...this.#calls.values()];
    const server = calls.filter((call) => call.server);
    const runnable = server.length > 0 && server.length === calls.length && this.#roundsLeft > 0;
    if (server.length > 0 && !runnable) {
      const reason = server.length === calls.length ? "no tool round is left" : "the round also called client tools";
      this.#options.record.roundEnded(server.map((call) => skippedRun(call, reason)));
    }
    this.#pending = runnable ? server : [];
    return runnable;
  }

  async next(send: (frame: ToolStatusChunk) => void, signal: AbortSignal): Promise<Response> {
    const { messages, context, record } = this.#options;
    const calls = this.#pending;
    this.#roundsLeft--;
    const status = (name: string, state: ToolStatus["status"]) =>
      send({ object: "chat.completion.chunk", choices: [], [TOOL_STATUS_FIELD]: { type: "tool", name, status: state } });
    const runs = await Promise.all(
      calls.map(async (call) => {
        status(call.name, "running");
        const run = await runServerTool(this.#tools.get(call.name)!, call, { ...context, signal });
        status(call.name, run.outcome === "ok" ? "done" : "failed");
        logServerToolRun(this.#options.log, run, { requestId: this.#options.requestId });
        return run;
      }),
    );
    record.roundEnded(runs);
    messages.push(
      {
        role: "assistant",
        content: this.#text || null,
        tool_calls: calls.map(({ id, name, arguments: args }) => ({ id, type: "function", function: { name, arguments: args } })),
      },
      ...runs.map((run) => ({ role: "tool" as const, tool_call_id: run.id, content: run.result })),
    );
    this.#calls = new Map();
    this.#text = "";
    this.#pending = [];
    return this.#options.request(messages, this.#roundsLeft > 0 ? undefined : "none", signal);
  }

  /** Adds a streamed piece to this round's calls; returns the call. */
  #add(part: NonNullable<ChunkDelta["tool_calls"]>[number]): RoundCall {
    const index = part.index ?? 0;
    let call = this.#calls.get(index);
    if (!call) {
      call = { id: "", name: part.function?.name ?? "", arguments: "", server: this.#tools.has(part.function?.name ?? "") };
      this.#calls.set(index, call);
    } else if (part.function?.name) call.name += part.function.name;
    if (part.id) call.id = part.id;
    if (part.function?.arguments) call.arguments += part.function.arguments;
    return call;
  }
}
