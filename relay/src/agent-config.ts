import { z } from "zod";
import { AnalysisConfigSchema, analysisConfigProblems } from "./analysis/analysis-config.ts";
import { ContextDeclarationSchema, placeholderNames } from "./context-declaration.ts";
import { KnowledgeConfigSchema } from "./knowledge/knowledge-config.ts";
import { schemaProblem } from "./server-tools/tool-arguments.ts";
import { WEBHOOK_EVENTS } from "./webhooks/webhook-event.ts";

/** True when `value` is exactly a web origin such as `https://example.com` or `http://localhost:5173`. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}

/** True when `value` is an absolute `http:` or `https:` URL without credentials. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

/** A `toolHosts` entry: a host name or address, with a port when it is not the scheme's default (`[v6]:port`). */
function isToolHost(value: string): boolean {
  try {
    return new URL(`http://${value}`).host === value.toLowerCase() || new URL(`https://${value}`).host === value.toLowerCase();
  } catch {
    return false;
  }
}

const modelName = z.string().min(1);

/** An environment variable's name, e.g. `ORDERS_API_TOKEN`. */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "expected an environment variable name like ORDERS_API_TOKEN");

/**
 * Where a server tool's call goes. Header values are never written in the file: each names the
 * environment variable that holds it (`{ "env": "ORDERS_API_TOKEN" }`), read when the tool is called.
 */
export const ServerToolHttpSchema = z.strictObject({
  /** The endpoint, `http:` or `https:`; its host (`host[:port]`, as the URL writes it) must be on the agent's `toolHosts`. */
  url: z.string().refine(isHttpUrl, { error: (issue) => `${JSON.stringify(issue.input)} is not an http(s) URL` }),
  /** POST, PUT and PATCH send the arguments as the JSON body; GET and DELETE as query parameters. Default POST. */
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, "expected an HTTP header name"), z.strictObject({ env: envName }))
    .default({}),
  /** Longest time for the whole call: name resolution, redirects and the answer's body. Default 5000. */
  timeoutMs: z.int().min(100).max(60_000).default(5000),
});

/**
 * One function tool the agent offers the model (OpenAI's function tool shape without the `type`, plus
 * where it runs). Sent by the relay only; tools a browser sends are rejected. `runs: "client"` (default):
 * the widget runs it in the page; `runs: "server"`: the relay calls `http` within the same reply.
 */
export const AgentToolSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected 1-64 letters, digits, '-' or '_'"),
    description: z.string().default(""),
    /** JSON Schema of the arguments (a server tool's calls are validated against it before any request). */
    parameters: z.record(z.string(), z.unknown()).default({ type: "object", properties: {} }),
    runs: z.enum(["client", "server"]).default("client"),
    http: ServerToolHttpSchema.optional(),
  })
  .superRefine((tool, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (tool.runs === "server" && !tool.http) issue("http", 'a server tool needs "http"');
    if (tool.runs === "client" && tool.http) issue("http", '"http" is for server tools ("runs": "server")');
    const problem = tool.runs === "server" ? schemaProblem(tool.parameters) : undefined;
    if (problem) issue("parameters", `not a usable JSON Schema: ${problem}`);
  });

/** A tool from the agent configuration. */
export type AgentTool = z.output<typeof AgentToolSchema>;

/**
 * Where the agent's events are posted, signed in the Standard Webhooks way. The signing secret is never
 * written in the file: `secret` names the environment variable that holds it (`whsec_` + base64 of 24–64
 * random bytes), read at start (a variable not set is a start error).
 */
export const AgentWebhooksSchema = z.strictObject({
  secret: z.strictObject({ env: envName }),
  endpoints: z
    .array(
      z.strictObject({
        /**
         * `http:` or `https:`. Its host must be on the agent's `toolHosts` when it resolves to a loopback,
         * private or link-local address (checked at each attempt, like a server tool's).
         */
        url: z.string().refine(isHttpUrl, { error: (issue) => `${JSON.stringify(issue.input)} is not an http(s) URL` }),
        events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
      }),
    )
    .min(1)
    .max(10),
});

/**
 * Per-agent limits, every field optional in the file; defaults below. Times in seconds, sizes in bytes.
 */
export const AgentLimitsSchema = z.strictObject({
  /** Hard end of a session after its creation; tokens never outlive it. Default 900 (15 min). */
  maxSessionSeconds: z.int().min(10).max(86_400).default(900),
  /** A session with no request for this long ends (`session_idle`). Default 120. */
  idleTimeoutSeconds: z.int().min(5).max(86_400).default(120),
  /** Requests per minute per session over all proxy routes (`rate_limited`). Default 60. */
  requestsPerMinute: z.int().min(1).max(10_000).default(60),
  /** Longest accepted utterance upload, from the WAV header (`audio_too_long`). Default 30. */
  maxUtteranceSeconds: z.number().positive().max(600).default(30),
  /** Largest request body on the proxy routes (`payload_too_large`). Default 2 MiB. */
  maxBodyBytes: z
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(2 * 1024 * 1024),
});

/** Resolved per-agent limits. */
export type AgentLimits = z.output<typeof AgentLimitsSchema>;

/** Schema of one agent in the agents file. Strict: an unknown (e.g. misspelt) key is an error. */
export const AgentConfigSchema = z.strictObject({
  /** Stable id the widget sends as its `agent` attribute. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "expected 1-64 letters, digits, '-' or '_'"),
  name: z.string().min(1),
  /** A disabled agent answers `agent_not_found`, and its tokens stop working. */
  enabled: z.boolean(),
  /**
   * Prepended as the `system` message of every chat completion (and the realtime session's instructions).
   * Each `{{name}}` is replaced by the session's value of that `context` variable, as a JSON literal.
   */
  systemPrompt: z.string().min(1),
  /**
   * The page context the agent accepts (`.config.context` of the widget): variables by name, each with
   * its type and bounds (`string` with `maxLength`, `enum` with `values`, `integer` with `min`/`max`,
   * `boolean`), optionally `required` or with a `default`. Anything else a page sends is refused. Default none.
   */
  context: ContextDeclarationSchema,
  /** First assistant line, spoken by the widget when a session starts. */
  greeting: z.string(),
  /** Exact origins (scheme://host[:port]) allowed to create sessions and call the proxy routes. */
  allowedOrigins: z
    .array(
      z.string().refine(isOrigin, {
        error: (issue) => `${JSON.stringify(issue.input)} is not an origin (expected like https://example.com)`,
      }),
    )
    .min(1),
  stt: z.strictObject({
    model: modelName,
    /** ISO-639-1 language hint; omitted lets the upstream detect it. */
    language: z
      .string()
      .regex(/^[a-z]{2,3}$/, "expected an ISO-639-1 code like en")
      .optional(),
    /**
     * Languages the widget may ask for instead (its page's language, the `language` field of the
     * transcription request); one not listed is ignored. Omitted: the widget's hint is always ignored.
     */
    languages: z
      .array(z.string().regex(/^[a-z]{2,3}$/, "expected ISO-639-1 codes like fr"))
      .max(50)
      .optional(),
  }),
  llm: z.strictObject({
    model: modelName,
    /** Sampling temperature 0..2; omitted uses the upstream default. */
    temperature: z.number().min(0).max(2).optional(),
    /** Upper bound on completion tokens per reply. */
    maxTokens: z.int().positive(),
  }),
  tts: z.strictObject({
    model: modelName,
    voice: z.string().min(1),
    /** Playback speed factor 0.25..4, default 1. */
    speed: z.number().min(0.25).max(4).default(1),
  }),
  /** Days the relay keeps this agent's session records; omitted uses `RECORDS_RETENTION_DAYS`. */
  retentionDays: z.int().min(1).max(3650).optional(),
  /**
   * Speculative turns: the widget sends the visitor's speech for transcription at a short pause (250 ms)
   * instead of after the full silence timeout, and uses the transcript if the turn ends there. Saves the
   * transcription's time on most turns; costs one extra transcription request when the visitor goes on
   * speaking after the pause (measured per turn in the bench). Default true.
   */
  speculation: z.boolean().default(true),
  /** Function tools offered to the LLM and to the realtime session (server tools: the LLM only, for now). Default none. */
  tools: z.array(AgentToolSchema).default([]),
  /**
   * The hosts server tools may call, `host` or `host:port` as a URL writes them (`api.example.com`,
   * `127.0.0.1:9000`): every request and every redirect hop of a server tool goes only to these, checked
   * when it is made. Default none.
   */
  toolHosts: z
    .array(
      z.string().refine(isToolHost, {
        error: (issue) => `${JSON.stringify(issue.input)} is not a host (expected like api.example.com or 127.0.0.1:9000)`,
      }),
    )
    .max(100)
    .default([]),
  /**
   * Tool rounds per visitor turn (tools run, then the model is asked again), client and server tools
   * together; once they are used the model is asked with `tool_choice: "none"` and must answer in words.
   * Decided here, never by the page, since each round is an LLM call. Default 3.
   */
  maxToolRounds: z.int().min(0).max(10).default(3),
  /**
   * Knowledge files (Markdown or plain text, relative to the agents file's folder) indexed at start: each
   * visitor turn of a chat gets the best passages within `maxTokens` (default 600, estimated) and
   * `maxPassages` (default 4) as reference text after the system prompt. Cascade only. Default none.
   */
  knowledge: KnowledgeConfigSchema.optional(),
  /** Speech-to-speech mode (`POST /v1/realtime/client_secrets`); omitted disables it for this agent. */
  realtime: z
    .strictObject({
      model: modelName,
      voice: z.string().min(1),
      /**
       * OpenAI `turn_detection` object, e.g. `{ "type": "semantic_vad" }`; default server VAD. `null`: the
       * widget's own end of turn commits the visitor's audio (through the relay only).
       */
      turnDetection: z.record(z.string(), z.unknown()).nullable().default({ type: "server_vad" }),
      /**
       * How a WebRTC call (`transport="webrtc"`) starts: `relay` (default), the relay creates it with its key
       * and holds its sideband (records, server tools, the agent's session kept, hang-up at the session's
       * end); `direct`, the widget connects to the provider with an ephemeral key and reports the
       * transcripts it sees to the records (no server-side control of the call, no server tools).
       */
      webrtc: z.enum(["relay", "direct"]).default("relay"),
    })
    .optional(),
  limits: AgentLimitsSchema.default(() => AgentLimitsSchema.parse({})),
  /**
   * Post-session analysis (summary, sentiment, outcome, answers to `questions`, `rubric` scores), run in
   * the background after each session and stored with it; omitted: sessions are not analysed.
   */
  analysis: AnalysisConfigSchema.optional(),
  /** Webhook endpoints for `session.ended` and `analysis.completed` (see the relay README); omitted sends none. */
  webhooks: AgentWebhooksSchema.optional(),
});

/** One agent as the site owner configured it (resolved: defaults applied). */
export type AgentConfig = z.output<typeof AgentConfigSchema>;

/** A `{{name}}` of the system prompt that names no variable of the agent's `context` is an error. */
const CheckedAgentSchema = AgentConfigSchema.superRefine((agent, ctx) => {
  for (const message of agent.analysis ? analysisConfigProblems(agent.analysis) : [])
    ctx.addIssue({ code: "custom", path: ["analysis"], message });
  for (const name of new Set(placeholderNames(agent.systemPrompt))) {
    if (Object.hasOwn(agent.context, name)) continue;
    const declared = Object.keys(agent.context);
    ctx.addIssue({
      code: "custom",
      path: ["systemPrompt"],
      message: `{{${name}}} names no variable of "context" (${declared.length === 0 ? "it declares none" : `declared: ${declared.join(", ")}`})`,
    });
  }
});

const AgentsFileSchema = z.strictObject({ agents: z.array(CheckedAgentSchema).min(1) });

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

/**
 * Validates the parsed agents file `{ "agents": [...] }` and returns its agents.
 *
 * @param json - the parsed JSON document
 * @param sourceName - how to name the source in errors, e.g. `agents.json`
 * @throws Error listing every problem on its own line as `source: path: problem`, including duplicate ids
 */
export function resolveAgents(json: unknown, sourceName: string): AgentConfig[] {
  const parsed = AgentsFileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${sourceName}: ${formatPath(issue.path) || "(root)"}: ${issue.message}`);
    throw new Error(lines.join("\n"));
  }
  const firstIndex = new Map<string, number>();
  const duplicates: string[] = [];
  parsed.data.agents.forEach((agent, i) => {
    const first = firstIndex.get(agent.id);
    if (first === undefined) firstIndex.set(agent.id, i);
    else duplicates.push(`${sourceName}: agents[${i}].id: duplicate agent id "${agent.id}" (also agents[${first}].id)`);
  });
  if (duplicates.length > 0) throw new Error(duplicates.join("\n"));
  return parsed.data.agents;
}
