import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FRAME_MS, OPUS_RATE, PcmRateConverter } from "./opus-frames.ts";
import type { RecordedRealtimeCall } from "./recorded-request.ts";
import { synthesize, SPEECH_SAMPLE_RATE } from "./speech.ts";
import { startTestServer, type TestServer } from "./test-server.ts";
import { connectTestPeer, type ReceivedPacket } from "./webrtc-test-peer.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const typed = (text: string) => ({
  type: "conversation.item.create",
  item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
});
const callRecord = (callId: string) =>
  server.requests.find((r): r is RecordedRealtimeCall => r.route === "realtime-call" && r.callId === callId)!;
const idOf = (response: Response) => response.headers.get("location")!.split("/").at(-1)!;

/** What the stand-in speaks for `text`, sentence by sentence as its state machine does, at 48 kHz. */
async function expectedSpeech(text: string): Promise<Int16Array> {
  const parts = await Promise.all(text.split(/(?<=[.!?;:…])\s+/).map((sentence) => synthesize(sentence)));
  const pcm = new Int16Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (pcm.set(part, at), at + part.length), 0);
  const up = new PcmRateConverter(SPEECH_SAMPLE_RATE, OPUS_RATE);
  const head = up.process(pcm);
  const tail = up.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/** The decoded packets one after another. */
function joined(packets: ReceivedPacket[]): Int16Array {
  const out = new Int16Array(packets.reduce((n, p) => n + p.pcm.length, 0));
  packets.reduce((at, p) => (out.set(p.pcm, at), at + p.pcm.length), 0);
  return out;
}

/** Normalised correlation of `a` against `b` shifted by `lag` samples, over their overlap. */
function correlation(a: Int16Array, b: Int16Array, lag: number, length = Math.min(a.length - lag, b.length)): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = Math.max(0, -lag); i < length; i++) {
    const x = a[i + lag]!;
    const y = b[i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

/** The best correlation of `received` with `reference` within ±20 ms of lag (Opus adds 6.5 ms). */
function bestCorrelation(received: Int16Array, reference: Int16Array): number {
  let best = { r: -1, lag: 0 };
  for (let lag = -960; lag <= 960; lag += 2) {
    const r = correlation(received, reference, lag, OPUS_RATE / 2);
    if (r > best.r) best = { r, lag };
  }
  for (const lag of [best.lag - 1, best.lag + 1]) {
    const r = correlation(received, reference, lag, OPUS_RATE / 2);
    if (r > best.r) best = { r, lag };
  }
  return correlation(received, reference, best.lag);
}

/** `ms` of a 440 Hz tone at half scale (or silence) at 48 kHz. */
function tone(ms: number, loud = true): Int16Array {
  const pcm = new Int16Array((OPUS_RATE / 1000) * ms);
  if (loud) for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(16_000 * Math.sin((2 * Math.PI * 440 * i) / OPUS_RATE));
  return pcm;
}

const rmsDb = (pcm: Int16Array) => 10 * Math.log10(pcm.reduce((s, x) => s + (x / 32768) ** 2, 0) / pcm.length + 1e-12);

describe("the stand-in's WebRTC calls", () => {
  it("answers an offer (multipart with a session) with 201, Location and SDP, and speaks a response as Opus RTP of eSpeak NG's waveform", async () => {
    const session = { type: "realtime", instructions: "Be brief.", audio: { input: { turn_detection: null } } };
    const peer = await connectTestPeer(server.origin, { form: "multipart", session });
    expect(peer.response.status).toBe(201);
    expect(peer.response.headers.get("content-type")).toBe("application/sdp");
    expect(peer.response.headers.get("location")).toMatch(/^\/v1\/realtime\/calls\/rtc_standin_\d+$/);
    expect(peer.answer).toMatch(/^v=0\r\n[\s\S]*^m=audio \d+ UDP\/TLS\/RTP\/SAVPF \d+/m);
    const payloadType = Number(/^a=rtpmap:(\d+) opus\/48000\/2/im.exec(peer.answer)?.[1]);
    expect(peer.answer).toMatch(/^a=candidate:.* 127\.0\.0\.1 /m);
    const created = await peer.next("session.created");
    expect(created.session).toMatchObject({ type: "realtime", instructions: "Be brief.", audio: { input: { turn_detection: null } } });

    const reference = expectedSpeech("This is the offline demo. You said: hello.");
    peer.send(typed("hello"));
    peer.send({ type: "response.create" });
    const started = await peer.next("output_audio_buffer.started");
    const stopped = await peer.next("output_audio_buffer.stopped");
    const types = peer.events.map((e) => e.type);
    expect(types).not.toContain("response.output_audio.delta");
    expect(types.indexOf("output_audio_buffer.stopped")).toBeGreaterThan(types.indexOf("response.done"));
    const responseId = (peer.events.find((e) => e.type === "response.created")!.response as { id: string }).id;
    expect([started.response_id, stopped.response_id]).toEqual([responseId, responseId]);

    await new Promise((resolve) => setTimeout(resolve, 100)); // the last packets in flight
    const packets = [...peer.packets].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    expect(packets.every((p, i) => i === 0 || p.sequenceNumber === packets[i - 1]!.sequenceNumber + 1)).toBe(true);
    expect(packets.every((p, i) => i === 0 || (p.timestamp - packets[i - 1]!.timestamp) % 960 === 0)).toBe(true);
    expect(packets[0]).toMatchObject({ payloadType, marker: true });
    // Paced on the wall clock: the packets span the audio's length, not a burst (eSpeak NG synthesizing the
    // next sentence on the same thread delays some, then the pacer catches up).
    expect(packets.at(-1)!.at - packets[0]!.at).toBeGreaterThan(packets.length * FRAME_MS * 0.5);
    const record = callRecord(idOf(peer.response));
    expect(record).toMatchObject({ transport: "webrtc", events: ["conversation.item.create", "response.create"] });
    expect(record.responses).toEqual([{ responseId, sentAudioMs: packets.length * FRAME_MS, end: "done" }]);

    const received = joined(packets);
    const speech = await reference;
    expect(received.length).toBeGreaterThanOrEqual(speech.length);
    expect(received.length - speech.length).toBeLessThan(960);
    expect(bestCorrelation(received, speech)).toBeGreaterThan(0.8);
    const loud = packets.filter((p) => rmsDb(p.pcm) > -40).length;
    expect(loud / packets.length).toBeGreaterThan(0.5);
    expect(record.endedBy).toBeUndefined();
    await peer.close();
    await expect.poll(() => record.endedAt, { timeout: 5_000 }).toEqual(expect.any(Number));
    expect(record.endedBy).toBe("peer");
  });

  it("hears the caller's track through the server VAD, then stops the reply on output_audio_buffer.clear and records what was sent", async () => {
    const peer = await connectTestPeer(server.origin);
    const record = callRecord(idOf(peer.response));
    await peer.speak(new Int16Array([...tone(1000), ...tone(700, false)]));
    expect(await peer.next("input_audio_buffer.speech_started")).toMatchObject({ audio_start_ms: expect.any(Number) });
    await peer.next("input_audio_buffer.speech_stopped");
    const { transcript } = await peer.next("conversation.item.input_audio_transcription.completed");
    const spokenMs = Number(/I spoke for (\d+\.\d) seconds\./.exec(String(transcript))![1]) * 1000;
    expect(Math.abs(spokenMs - 1500)).toBeLessThanOrEqual(300); // 1 s of tone, then the VAD's 500 ms of silence
    await expect.poll(() => record.micAudioMs).toBe(1700);

    const started = await peer.next("output_audio_buffer.started");
    while (peer.packets.length < 30) await new Promise((resolve) => setTimeout(resolve, 5));
    const clearedAt = performance.now();
    const at = peer.events.length;
    peer.send({ type: "output_audio_buffer.clear" });
    expect(await peer.next("output_audio_buffer.cleared", at)).toMatchObject({ response_id: started.response_id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(peer.packets.filter((p) => p.at > clearedAt + 100)).toEqual([]);
    expect(record.events).toContain("output_audio_buffer.clear");
    const [sent] = record.responses!;
    expect(sent).toEqual({ responseId: started.response_id, sentAudioMs: peer.packets.length * FRAME_MS, end: "cleared" });
    expect(sent!.sentAudioMs).toBeGreaterThanOrEqual(600);
    expect(sent!.sentAudioMs).toBeLessThan(1000);
    await peer.close();
  });

  it("clears the audio when the caller barges in (server VAD speech_started)", async () => {
    const session = { type: "realtime", audio: { input: { turn_detection: { type: "server_vad", silence_duration_ms: 200 } } } };
    const peer = await connectTestPeer(server.origin, { form: "multipart", session });
    const record = callRecord(idOf(peer.response));
    await peer.speak(new Int16Array([...tone(300), ...tone(300, false)]));
    const started = await peer.next("output_audio_buffer.started");
    while (peer.packets.length < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    const at = peer.events.length;
    await peer.speak(tone(100));
    const cleared = await peer.next("output_audio_buffer.cleared", at);
    expect(cleared.response_id).toBe(started.response_id);
    const types = peer.events.slice(at).map((e) => e.type);
    expect(types.indexOf("output_audio_buffer.cleared")).toBe(types.indexOf("input_audio_buffer.speech_started") + 1);
    expect(record.responses).toEqual([{ responseId: started.response_id, sentAudioMs: expect.any(Number), end: "interrupted" }]);
    expect(record.responses![0]!.sentAudioMs).toBeGreaterThanOrEqual(200);
    await peer.close();
  });

  it("records who ended a call dropped by a `drop` fault (`endedBy: fault`)", async () => {
    await fetch(`${server.origin}/__standin/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ route: "realtime-call", kind: "drop", afterChunks: 2 }),
    });
    const peer = await connectTestPeer(server.origin);
    const record = callRecord(idOf(peer.response));
    peer.send(typed("Hello"));
    peer.send({ type: "response.create" });
    await expect.poll(() => record.endedAt, { timeout: 5_000 }).toEqual(expect.any(Number));
    expect(record.endedBy).toBe("fault");
    await peer.close();
  });
});
