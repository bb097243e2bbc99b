/**
 * The stand-in for the relay benchmark: words every `TOKEN_DELAY_MS` (default 5, a fast LLM), speech
 * served from a cache, streamed at `SPEECH_PACE` × real time (default 0: as fast as read).
 */
import { serve } from "@hono/node-server";
import { createStandin } from "@voice-agent/standin";

const tokenMs = Number(process.env.TOKEN_DELAY_MS ?? 5);
const { app } = createStandin({
  latency: { llmFirstTokenMs: tokenMs, llmPerTokenMs: tokenMs, ttsPace: Number(process.env.SPEECH_PACE ?? 0) },
  cacheSpeech: true,
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, () => console.log("ready"));
