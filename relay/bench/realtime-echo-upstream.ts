/**
 * The realtime benchmark's upstream, in its own process: a WebSocket server that answers every
 * `input_audio_buffer.append` at once with a `response.output_audio.delta` carrying the same audio and the
 * append's `event_id` as `seq`, so a client times each frame's round trip.
 */
import { WebSocketServer } from "ws";

const server = new WebSocketServer({ port: Number(process.env.PORT), host: "127.0.0.1", perMessageDeflate: false });
server.on("connection", (ws) => {
  ws.on("message", (data) => {
    const event = JSON.parse(String(data)) as { type?: string; audio?: string; event_id?: string };
    if (event.type !== "input_audio_buffer.append") return;
    ws.send(
      JSON.stringify({
        type: "response.output_audio.delta",
        response_id: "resp_bench",
        item_id: "item_bench",
        output_index: 0,
        content_index: 0,
        seq: event.event_id,
        delta: event.audio,
      }),
    );
  });
});
server.on("listening", () => console.log("ready"));
process.once("SIGTERM", () => process.exit(0));
