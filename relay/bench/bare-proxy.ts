/**
 * The floor of the relay benchmark: the least a proxy can do on this machine, in its own process, in
 * front of the stand-in at `UPSTREAM`. It forwards the benchmark's chat and speech requests with the
 * agent's fixed fields added, as the relay does, and transcription uploads as they came (the client puts
 * the model in the form), over a keep-alive `node:http` pool, and pipes the answer back; no token, limits, validation, records, SSE inspection or idle watch. What it adds to the direct
 * path is what two extra loopback hops, an HTTP parse and a chunked re-encode cost here.
 */
import { Agent, createServer, request } from "node:http";
import { testAgent } from "../test/fixtures.ts";

const upstream = process.env.UPSTREAM!;
const agent = new Agent({ keepAlive: true });
const bodies: Record<string, (body: { messages?: unknown[]; input?: string }) => unknown> = {
  "/v1/chat/completions": ({ messages = [] }) => ({
    model: testAgent.llm.model,
    messages: [{ role: "system", content: testAgent.systemPrompt }, ...messages],
    stream: true,
    stream_options: { include_usage: true },
    max_completion_tokens: testAgent.llm.maxTokens,
    temperature: testAgent.llm.temperature,
    tools: testAgent.tools.map((tool) => ({ type: "function", function: tool })),
  }),
  "/v1/audio/speech": ({ input }) => ({
    model: testAgent.tts.model,
    voice: testAgent.tts.voice,
    input,
    response_format: "pcm",
    speed: testAgent.tts.speed,
  }),
};

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    if (req.url === "/v1/sessions") return void res.end('{"token":"none"}');
    const upload = req.url === "/v1/audio/transcriptions";
    const build = bodies[req.url ?? ""];
    if (!build && !upload) return void res.writeHead(404).end();
    const body = build ? JSON.stringify(build(JSON.parse(Buffer.concat(chunks).toString()))) : Buffer.concat(chunks);
    const headers = {
      "content-type": upload ? req.headers["content-type"]! : "application/json",
      "content-length": Buffer.byteLength(body),
      authorization: "Bearer sk-bench",
    };
    const upstreamReq = request(upstream + req.url!.slice("/v1".length), { method: "POST", agent, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"], "transfer-encoding": "chunked" });
      res.flushHeaders();
      answer.pipe(res);
    });
    res.once("close", () => upstreamReq.destroy());
    upstreamReq.once("error", () => res.destroy());
    upstreamReq.end(body);
  });
}).listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
// Exits on the bench's SIGTERM, so that `--cpu-prof` (RELAY_PROFILE) writes its profile.
process.once("SIGTERM", () => process.exit(0));
