/**
 * Server tools in a realtime call through the relay: the cascade's tool loop ({@link ServerToolRounds}) on
 * the realtime protocol. The model's calls of server tools, and their outputs, are kept from the browser
 * (the page would run them as client tools); the relay runs each call (`runServerTool`), hands the result
 * upstream as a `function_call_output` item and asks for the model's answer (`response.create`). The
 * browser sees one response, as a chat stream is one reply: the calling response's `response.done` is held
 * back, and the answer's events come under the calling response's id (its `response.created` dropped),
 * with a {@link RealtimeToolEvent} per call meanwhile. The widget binds a reply to the response it asked
 * for, and would not play an answer under a response id of the relay's making.
 */
import { REALTIME_TOOL_EVENT, type RealtimeToolEvent, type ToolStatus } from "../protocol.ts";
import type { RealtimeRecord } from "../recorder.ts";
import type { RelayLog } from "../relay-log.ts";
import {
  logServerToolRun,
  runServerTool,
  skippedRun,
  type ServerTool,
  type ServerToolContext,
  type ServerToolRun,
} from "../server-tools/run-server-tool.ts";

type Event = Record<string, unknown>;

/** A server tool call, from its `response.function_call_arguments.done`. */
interface Call {
  id: string;
  name: string;
  arguments: string;
}

/** An item of a response's `output`, as far as it is read here. */
interface OutputItem {
  type?: string;
  name?: string;
  call_id?: string;
}

/** The response whose server calls run now. */
interface Held {
  /** Its `response.done`, as the browser would get it (server calls taken out). */
  done: Event;
  /** The id the browser knows the response by. */
  shownId: string;
  calls: Call[];
  abort: AbortController;
  /** `performance.now()` when its calls started. */
  startedAt: number;
}

export interface RealtimeServerToolsOptions {
  tools: readonly ServerTool[];
  /** The agent's `maxToolRounds`: responses with tool calls per visitor turn. */
  maxToolRounds: number;
  context: Omit<ServerToolContext, "signal">;
  /** Sends a client event upstream (nothing once the call ended). */
  toUpstream: (event: Event) => void;
  /** Sends the relay's own event to the browser (its `event_id` added). */
  toClient: (event: Event) => void;
  record: RealtimeRecord | undefined;
  log: RelayLog;
  sessionId: string;
}

/**
 * The server tools of one realtime call. The bridge shows it every upstream event (after recording it) and
 * every browser event it forwards. Rounds: a response with tool calls (client ones too, as in the
 * cascade) is a round of the visitor's turn, which ends at the visitor's next input (a typed message or
 * committed audio). The answer after the turn's last round (`maxToolRounds`) is asked for with
 * `tool_choice: "none"`, as the cascade asks; a server call past the limit all the same (`maxToolRounds`
 * 0, or a provider that ignores the choice) is not made, and the model gets a `skipped` error result and
 * answers with `tool_choice: "none"`: a call left unanswered would leave the visitor waiting in silence.
 */
export class RealtimeServerTools {
  /** Call ids of the call's server tool calls: the browser may not answer them. */
  readonly callIds = new Set<string>();
  readonly #o: RealtimeServerToolsOptions;
  readonly #tools: Map<string, ServerTool>;
  /** Items of server calls and of their outputs, kept from the browser. */
  readonly #items = new Set<string>();
  /** Server calls of responses not done yet, by response id. */
  readonly #calls = new Map<string, Call[]>();
  /** Upstream response id → the id the browser knows it by (an answer's is the calling response's). */
  readonly #shown = new Map<string, string>();
  /** Calls reported to the records and the log (a run that ends after its cancel is not reported again). */
  readonly #reported = new Set<string>();
  #rounds = 0;
  /** The browser id of the answer asked for, until its `response.created` arrives. */
  #continuing: string | undefined;
  #held: Held | undefined;
  #closed = false;

  constructor(options: RealtimeServerToolsOptions) {
    this.#o = options;
    this.#tools = new Map(options.tools.map((tool) => [tool.name, tool]));
  }

  /** An upstream event (already recorded): what the browser gets instead (the same object when unchanged), or nothing. */
  fromUpstream(event: Event): Event | undefined {
    switch (event.type) {
      case "input_audio_buffer.committed":
        this.#newTurn();
        break;
      case "response.created": {
        if (this.#continuing === undefined) break;
        this.#shown.set(String((event.response as { id?: unknown } | undefined)?.id), this.#continuing);
        this.#continuing = undefined;
        return undefined;
      }
      case "response.output_item.added":
      case "response.output_item.done":
      case "conversation.item.added":
      case "conversation.item.created":
      case "conversation.item.done":
      case "conversation.item.retrieved":
        if (this.#serverItem(event.item)) return undefined;
        break;
      case "response.function_call_arguments.delta":
        if (this.#items.has(String(event.item_id))) return undefined;
        break;
      case "response.function_call_arguments.done":
        if (!this.#tools.has(String(event.name))) break;
        this.#called(event);
        return undefined;
      case "response.done":
        return this.#responseDone(event);
    }
    const shown = typeof event.response_id === "string" ? this.#shown.get(event.response_id) : undefined;
    return shown === undefined ? event : { ...event, response_id: shown };
  }

  /**
   * A browser event on its way upstream (screened already): the visitor's input starts a turn, and with
   * `response.cancel` stops the calls running. `handled` when the relay answered it itself (a cancel while
   * only the relay's calls run, which the upstream knows nothing of).
   */
  fromClient(event: Event): "handled" | undefined {
    const item = event.item as { type?: unknown; role?: unknown } | undefined;
    if (
      event.type === "input_audio_buffer.commit" ||
      (event.type === "conversation.item.create" && item?.type === "message" && item.role === "user")
    ) {
      this.#newTurn();
    }
    if (event.type === "response.cancel" && this.#held) {
      this.#cancelHeld();
      return "handled";
    }
    return undefined;
  }

  /** The call ended: calls still running are cancelled (their requests aborted) and reported so, at once. */
  close(): void {
    this.#closed = true;
    const held = this.#held;
    this.#held = undefined;
    if (held) this.#cancel(held);
  }

  #newTurn(): void {
    this.#rounds = 0;
    if (this.#held) this.#cancelHeld();
  }

  /** Stops the calls running; the browser gets their response's end, `cancelled`. */
  #cancelHeld(): void {
    const held = this.#held!;
    this.#held = undefined;
    this.#cancel(held);
    this.#o.toClient({ ...held.done, response: { ...(held.done.response as object), status: "cancelled" } });
  }

  #cancel(held: Held): void {
    held.abort.abort();
    const durationMs = Math.round(performance.now() - held.startedAt);
    for (const { id, name } of held.calls) {
      this.#report({ id, name, outcome: "cancelled", result: JSON.stringify({ error: "The call was cancelled." }), durationMs });
    }
  }

  /** True for an item of a server call or of its output (noting its id, so its other events are kept back too). */
  #serverItem(item: unknown): boolean {
    const { id, type, name, call_id: callId } = (item ?? {}) as { id?: unknown; type?: unknown; name?: unknown; call_id?: unknown };
    const server =
      (type === "function_call" && typeof name === "string" && this.#tools.has(name)) ||
      (type === "function_call_output" && typeof callId === "string" && this.callIds.has(callId));
    if (!server) return false;
    if (typeof id === "string") this.#items.add(id);
    if (typeof callId === "string") this.callIds.add(callId);
    return true;
  }

  #called(event: Event): void {
    const call = { id: String(event.call_id), name: String(event.name), arguments: String(event.arguments ?? "") };
    const responseId = String(event.response_id);
    this.callIds.add(call.id);
    if (typeof event.item_id === "string") this.#items.add(event.item_id);
    this.#calls.set(responseId, [...(this.#calls.get(responseId) ?? []), call]);
    this.#o.record?.serverToolCalled(call.id);
  }

  /** A response ended: its server calls run (their response held back) or are answered as skipped. */
  #responseDone(event: Event): Event | undefined {
    const response = (event.response ?? {}) as { id?: unknown; status?: unknown; output?: OutputItem[] };
    const id = String(response.id);
    const shownId = this.#shown.get(id) ?? id;
    this.#shown.delete(id);
    const calls = this.#calls.get(id) ?? [];
    this.#calls.delete(id);
    const output = Array.isArray(response.output) ? response.output : [];
    const isServer = (item: OutputItem) => item.type === "function_call" && this.callIds.has(String(item.call_id));
    const done = { ...event, response: { ...response, id: shownId, output: output.filter((item) => !isServer(item)) } };
    if (output.some((item) => item.type === "function_call") || calls.length) this.#rounds++;
    // A call cut off before its arguments were done is in the output too, never run.
    if (calls.length === 0) return shownId === id && done.response.output.length === output.length ? event : done;
    if (response.status !== "completed") {
      for (const call of calls) this.#report(skippedRun(call, "its response did not complete"));
      return done;
    }
    if (output.some((item) => item.type === "function_call" && !isServer(item))) {
      // The page answers the client calls and asks for the next response: the server calls are not made.
      this.#answer(calls.map((call) => skippedRun(call, "the response also called client tools")));
      return done;
    }
    if (this.#rounds > this.#o.maxToolRounds) {
      this.#answer(calls.map((call) => skippedRun(call, "no tool round is left")));
      this.#continue(shownId);
      return undefined;
    }
    const held: Held = { done, shownId, calls, abort: new AbortController(), startedAt: performance.now() };
    this.#held = held;
    void this.#run(held);
    return undefined;
  }

  async #run(held: Held): Promise<void> {
    const runs = await Promise.all(
      held.calls.map(async (call) => {
        this.#status(held, call.name, "running");
        const run = await runServerTool(this.#tools.get(call.name)!, call, { ...this.#o.context, signal: held.abort.signal });
        if (this.#held === held) this.#status(held, call.name, run.outcome === "ok" ? "done" : "failed");
        return run;
      }),
    );
    if (this.#held !== held || this.#closed) return;
    this.#held = undefined;
    this.#answer(runs);
    this.#continue(held.shownId);
  }

  #status(held: Held, name: string, status: ToolStatus["status"]): void {
    const event: Omit<RealtimeToolEvent, "event_id"> = { type: REALTIME_TOOL_EVENT, response_id: held.shownId, name, status };
    this.#o.toClient(event);
  }

  /** Gives the model the calls' results (and the records and the log their outcome). */
  #answer(runs: readonly ServerToolRun[]): void {
    for (const run of runs) {
      this.#report(run);
      this.#o.toUpstream({ type: "conversation.item.create", item: { type: "function_call_output", call_id: run.id, output: run.result } });
    }
  }

  /** Asks for the model's answer, which the browser gets as the rest of response `shownId`. */
  #continue(shownId: string): void {
    this.#continuing = shownId;
    const last = this.#rounds >= this.#o.maxToolRounds;
    this.#o.toUpstream({ type: "response.create", ...(last ? { response: { tool_choice: "none" } } : {}) });
  }

  #report(run: ServerToolRun): void {
    if (this.#reported.has(run.id)) return;
    this.#reported.add(run.id);
    this.#o.record?.serverToolRan(run);
    logServerToolRun(this.#o.log, run, { session: this.#o.sessionId });
  }
}
