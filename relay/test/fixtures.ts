import type { AgentConfig } from "../src/agent-config.ts";
import { AgentLimitsSchema } from "../src/agent-config.ts";
import { createApp } from "../src/app.ts";
import type { LogEntry } from "../src/relay-log.ts";
import type { RelayOptions } from "../src/relay-options.ts";
import type { Upstreams } from "../src/upstreams.ts";

/** Origin allowed for {@link testAgent}. */
export const TEST_ORIGIN = "http://localhost:5173";

/** A provider key that must never show up in responses or logs. */
export const PROVIDER_KEY = "sk-test-PROVIDER-KEY-do-not-leak-0123456789";

/** An agent with recognisable, fake model names. */
export const testAgent: AgentConfig = {
  id: "demo",
  name: "Test agent",
  enabled: true,
  systemPrompt: "You are the test agent. SYSTEM-PROMPT-MARKER",
  context: {},
  greeting: "Hello from the test agent.",
  allowedOrigins: [TEST_ORIGIN],
  stt: { model: "agent-stt-model", language: "en" },
  llm: { model: "agent-llm-model", temperature: 0.3, maxTokens: 100 },
  tts: { model: "agent-tts-model", voice: "agent-voice", speed: 1 },
  speculation: true,
  tools: [
    {
      name: "lookup_order",
      description: "Finds an order.",
      parameters: { type: "object", properties: { id: { type: "string" } } },
      runs: "client",
    },
  ],
  toolHosts: [],
  maxToolRounds: 3,
  realtime: { model: "agent-realtime-model", voice: "agent-realtime-voice", turnDetection: { type: "semantic_vad" }, webrtc: "relay" },
  limits: AgentLimitsSchema.parse({}),
};

/** {@link testAgent} telling the model who the visitor is: one page context variable of each type. */
export const contextAgent: AgentConfig = {
  ...testAgent,
  systemPrompt: "You are the test agent. Visitor: {{name}}; plan {{plan}}; {{cartItems}} items; member {{ member }}. Greet {{name}}.",
  context: {
    name: { type: "string", maxLength: 60, required: false },
    plan: { type: "enum", values: ["free", "pro"], required: true },
    cartItems: { type: "integer", min: 0, max: 999, required: false },
    member: { type: "boolean", required: false, default: false },
  },
};

/** The test secret of {@link createTestApp}'s relay tokens. */
export const TEST_SECRET = "test-secret-0123456789abcdef0123456789";

/** Every stage pointed at `baseURL` with {@link PROVIDER_KEY}. */
export function testUpstreams(baseURL = "http://127.0.0.1:9/v1"): Upstreams {
  const endpoint = { baseURL, apiKey: PROVIDER_KEY };
  return { kind: "provider", stt: endpoint, llm: { ...endpoint }, tts: { ...endpoint }, realtime: { ...endpoint } };
}

/** Creates an app with test defaults; returns it with the log lines it wrote. */
export function createTestApp(overrides: Partial<RelayOptions> = {}) {
  const logs: LogEntry[] = [];
  const app = createApp({
    agents: [testAgent, { ...testAgent, id: "off", enabled: false }],
    upstreams: testUpstreams(),
    tokenSecret: TEST_SECRET,
    tokenTtlMs: 60_000,
    log: (entry) => logs.push(entry),
    ...overrides,
  });
  return { app, logs };
}

/** Creates a session through the app and returns its token. */
export async function createToken(app: ReturnType<typeof createApp>, origin = TEST_ORIGIN): Promise<string> {
  const res = await app.request("/v1/sessions", {
    method: "POST",
    headers: { origin, "content-type": "application/json" },
    body: JSON.stringify({ agent: "demo" }),
  });
  if (res.status !== 201) throw new Error(`session creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
