import { serve } from "@hono/node-server";
import { latencyFromEnv } from "./latency-profile.ts";
import { createStandin, webSocketServing } from "./standin.ts";

// STANDIN_PROFILE (`instant`, the default, or `typical-cloud`) and single values over it
// (STANDIN_LLM_PER_TOKEN_MS=0, STANDIN_TTS_PACE=1, …: see latencyFromEnv) set the latency profile;
// STANDIN_CACHE_SPEECH=1 answers repeated speech from memory (for latency benchmarks).
const port = Number(process.env["STANDIN_PORT"] ?? 8790);
const latency = latencyFromEnv(process.env);
const { app } = createStandin({ latency, cacheSpeech: process.env["STANDIN_CACHE_SPEECH"] === "1" });

serve({ fetch: app.fetch, port, hostname: "127.0.0.1", ...webSocketServing() }, (info) => {
  const profile = process.env["STANDIN_PROFILE"] || "instant";
  console.log(`standin (offline demo upstream, ${profile} latency) listening on http://127.0.0.1:${info.port}/v1`);
});
