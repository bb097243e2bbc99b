/**
 * For tests of the stand-in's WebRTC calls: a werift peer doing what the browser does (an Opus track and an
 * `oai-events` data channel in the offer, the offer POSTed to `/v1/realtime/calls`), that keeps every server
 * event and every RTP packet it receives, decoded.
 */
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, type RTCDataChannel, type RTCRtpTransceiver } from "werift";
import { FRAME_MS, FRAME_SAMPLES, OpusFrameDecoder, OpusFrameEncoder } from "./opus-frames.ts";
import type { RealtimeServerEvent } from "./realtime-events.ts";
import { EVENTS_CHANNEL } from "./webrtc-peer.ts";

/** One RTP packet received, decoded to 48 kHz PCM16, with its arrival time (`performance.now()`, ms). */
export interface ReceivedPacket {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payloadType: number;
  pcm: Int16Array;
  at: number;
}

/**
 * How to post the offer: the server-key multipart form (with an optional `session`) or `application/sdp`
 * to the stand-in, or by `post` (e.g. to a relay in front of it).
 */
export type OfferForm =
  | { form: "multipart"; session?: object }
  | { form: "sdp"; key: string; model?: string }
  | { form: "custom"; post: (sdp: string) => Promise<Response> };

export interface TestPeer {
  /** The create-call response (its body already read into `answer`). */
  response: Response;
  answer: string;
  pc: RTCPeerConnection;
  channel: RTCDataChannel;
  /** Server events from the data channel, in order. */
  events: RealtimeServerEvent[];
  /** The first data channel event of `type` from index `after` on (default 0), received or to come. */
  next(type: string, after?: number): Promise<RealtimeServerEvent>;
  send(event: object): void;
  packets: ReceivedPacket[];
  /** Sends `pcm` (48 kHz PCM16) as Opus RTP in 20 ms frames, one per 20 ms; resolves when all are sent. */
  speak(pcm: Int16Array): Promise<void>;
  close(): Promise<void>;
}

/** Creates a call on the stand-in at `origin` and waits until its data channel is open. */
export async function connectTestPeer(origin: string, offer: OfferForm = { form: "multipart" }): Promise<TestPeer> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
    codecs: { audio: [useOPUS()], video: [] },
  });
  const mic = new MediaStreamTrack({ kind: "audio" });
  const transceiver = pc.addTransceiver(mic, { direction: "sendrecv" });
  const channel = pc.createDataChannel(EVENTS_CHANNEL);
  const events: RealtimeServerEvent[] = [];
  const waiters: { type: string; resolve: (event: RealtimeServerEvent) => void }[] = [];
  channel.onMessage.subscribe((data) => {
    const event = JSON.parse(data.toString()) as RealtimeServerEvent;
    events.push(event);
    const i = waiters.findIndex((w) => w.type === event.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(event);
  });
  const packets = receivePackets(pc);
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== "complete")
    await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((state) => state === "complete" && resolve()));
  const response = await postOffer(origin, pc.localDescription!.sdp, offer);
  const answer = await response.text();
  if (response.status !== 201) throw new Error(`create call: ${response.status} ${answer}`);
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  if (channel.readyState !== "open") await new Promise<void>((resolve) => channel.stateChanged.subscribe((s) => s === "open" && resolve()));
  return {
    response,
    answer,
    pc,
    channel,
    events,
    packets,
    next: (type, after = 0) => {
      const seen = events.slice(after).find((event) => event.type === type);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ type, resolve }));
    },
    send: (event) => channel.send(JSON.stringify(event)),
    speak: (pcm) => speak(mic, transceiver, pcm),
    close: () => pc.close(),
  };
}

function postOffer(origin: string, sdp: string, offer: OfferForm): Promise<Response> {
  if (offer.form === "custom") return offer.post(sdp);
  if (offer.form === "sdp") {
    const query = offer.model ? `?model=${offer.model}` : "";
    return fetch(`${origin}/v1/realtime/calls${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${offer.key}`, "content-type": "application/sdp" },
      body: sdp,
    });
  }
  const body = new FormData();
  body.set("sdp", new Blob([sdp], { type: "application/sdp" }), "offer.sdp");
  if (offer.session) body.set("session", new Blob([JSON.stringify(offer.session)], { type: "application/json" }));
  return fetch(`${origin}/v1/realtime/calls`, { method: "POST", headers: { authorization: "Bearer test-key" }, body });
}

function receivePackets(pc: RTCPeerConnection): ReceivedPacket[] {
  const packets: ReceivedPacket[] = [];
  const decoder = new OpusFrameDecoder();
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe(({ header, payload }) =>
      packets.push({
        sequenceNumber: header.sequenceNumber,
        timestamp: header.timestamp,
        marker: header.marker,
        payloadType: header.payloadType,
        pcm: decoder.decode(payload),
        at: performance.now(),
      }),
    ),
  );
  return packets;
}

async function speak(track: MediaStreamTrack, transceiver: RTCRtpTransceiver, pcm: Int16Array): Promise<void> {
  const encoder = new OpusFrameEncoder();
  const start = performance.now();
  for (let i = 0; i * FRAME_SAMPLES < pcm.length; i++) {
    const frame = new Int16Array(FRAME_SAMPLES);
    frame.set(pcm.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
    const header = new RtpHeader({
      payloadType: transceiver.sender.codec?.payloadType ?? 111,
      sequenceNumber: i & 0xffff,
      timestamp: i * FRAME_SAMPLES,
      ssrc: transceiver.sender.ssrc,
      marker: i === 0,
    });
    track.writeRtp(new RtpPacket(header, encoder.encode(frame)));
    const wait = start + (i + 1) * FRAME_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  encoder.delete();
}
