import OpenAI from "openai";
import type { UpstreamKind } from "./protocol.ts";
import { createUpstreamFetch, DEFAULT_WHOLE_BODY_LIMITS } from "./upstream-http.ts";

/** The three stages of the cascade pipeline; each may use its own OpenAI-compatible server. */
export const STAGES = ["stt", "llm", "tts"] as const;

/** One pipeline stage. */
export type Stage = (typeof STAGES)[number];

/** Where one stage forwards to. */
export interface UpstreamEndpoint {
  /** OpenAI-compatible base URL including `/v1`, e.g. `https://api.openai.com/v1`. */
  baseURL: string;
  /** Provider key; never leaves the relay. */
  apiKey: string;
}

/**
 * Resolved upstream of every stage and of the realtime (speech-to-speech) mode, plus what kind of upstream
 * it is (reported to the widget).
 */
export type Upstreams = { kind: UpstreamKind } & Record<Stage | "realtime", UpstreamEndpoint>;

/** One official OpenAI SDK client per stage and for the realtime mode. */
export type UpstreamClients = Record<Stage | "realtime", OpenAI>;

/** Default base URL when neither `OPENAI_BASE_URL` nor a stage `*_BASE_URL` is set. */
export const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** Default per-request upstream timeout (ms): time until the upstream's response headers. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

/** Environment variables read by {@link resolveUpstreams}. */
export type UpstreamEnv = Record<string, string | undefined>;

function httpUrl(name: string, value: string, problems: string[]): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value.replace(/\/+$/, "");
  } catch {
    // reported below
  }
  problems.push(`${name}=${JSON.stringify(value)} is not an http(s) URL (expected like https://api.openai.com/v1)`);
  return value;
}

/**
 * Resolves each stage's `{ baseURL, apiKey }` from the environment. A stage's `STT_`/`LLM_`/`TTS_` +
 * `BASE_URL`/`API_KEY` override the shared `OPENAI_BASE_URL`/`OPENAI_API_KEY`. With no key at all and
 * `OFFLINE_DEMO_UPSTREAM` set, every stage points at the offline stand-in (`kind: "offline-demo"`). The
 * realtime mode reads `REALTIME_BASE_URL`/`REALTIME_API_KEY` over the shared ones; without any key of its
 * own or shared it uses the LLM stage's upstream.
 *
 * @throws Error naming the variables to set when a stage has no key or a URL is malformed
 */
export function resolveUpstreams(env: UpstreamEnv): Upstreams {
  const problems: string[] = [];
  const anyKey = [env.OPENAI_API_KEY, env.STT_API_KEY, env.LLM_API_KEY, env.TTS_API_KEY].some(Boolean);
  if (!anyKey && env.OFFLINE_DEMO_UPSTREAM) {
    const offline = { baseURL: httpUrl("OFFLINE_DEMO_UPSTREAM", env.OFFLINE_DEMO_UPSTREAM, problems), apiKey: "offline-demo" };
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return { kind: "offline-demo", stt: offline, llm: { ...offline }, tts: { ...offline }, realtime: { ...offline } };
  }
  const endpoint = (stage: Stage | "realtime"): UpstreamEndpoint => {
    const prefix = stage.toUpperCase();
    const base = env[`${prefix}_BASE_URL`] || env.OPENAI_BASE_URL || DEFAULT_BASE_URL;
    const baseName = env[`${prefix}_BASE_URL`] ? `${prefix}_BASE_URL` : "OPENAI_BASE_URL";
    const apiKey = env[`${prefix}_API_KEY`] || env.OPENAI_API_KEY || "";
    if (!apiKey) problems.push(`no API key for the ${stage} stage: set OPENAI_API_KEY (or ${prefix}_API_KEY)`);
    return { baseURL: httpUrl(baseName, base, problems), apiKey };
  };
  const llm = endpoint("llm");
  const realtime = env.REALTIME_API_KEY || env.OPENAI_API_KEY ? endpoint("realtime") : llm;
  const upstreams: Upstreams = { kind: "provider", stt: endpoint("stt"), llm, tts: endpoint("tts"), realtime };
  if (problems.length > 0) {
    if (!anyKey) {
      throw new Error(
        "No upstream configured: set OPENAI_API_KEY (or STT_/LLM_/TTS_API_KEY per stage), " +
          "or set OFFLINE_DEMO_UPSTREAM=http://127.0.0.1:8790/v1 to use the offline stand-in.",
      );
    }
    throw new Error(problems.join("\n"));
  }
  return upstreams;
}

/** A base URL as it may be logged: without user-info, query or fragment, where credentials can hide. */
export function loggableBaseURL(baseURL: string): string {
  const url = new URL(baseURL);
  return url.origin + url.pathname;
}

/**
 * Builds one OpenAI SDK client per stage, sharing one keep-alive `fetch` on `node:http`
 * ({@link createUpstreamFetch}) whose bodies the routes pass on as Node streams. Retries are off (a voice turn cannot wait for a retry);
 * `timeoutMs` bounds the wait for the upstream's response headers, and again the reading of a whole body
 * (an error or JSON answer, at most 1 MiB).
 */
export function createUpstreamClients(upstreams: Upstreams, timeoutMs = DEFAULT_UPSTREAM_TIMEOUT_MS): UpstreamClients {
  const fetch = createUpstreamFetch({ ...DEFAULT_WHOLE_BODY_LIMITS, timeoutMs });
  const client = (stage: Stage | "realtime") => new OpenAI({ ...upstreams[stage], maxRetries: 0, timeout: timeoutMs, fetch });
  return { stt: client("stt"), llm: client("llm"), tts: client("tts"), realtime: client("realtime") };
}
