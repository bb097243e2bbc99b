/**
 * The stand-in's side of a WebRTC call, on werift (pure JS): answers an SDP offer (non-trickle, so the
 * answer waits for werift's own ICE gathering), decodes the caller's Opus to 48 kHz PCM16, sends 20 ms frames
 * as Opus RTP, and carries the `oai-events` data channel's text. Loopback works without a network: no STUN
 * servers, 127.0.0.1 added as a host candidate (see docs/research/webrtc-spike.md, traps 1 and 2).
 */
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, type RTCDataChannel, type RTCRtpTransceiver } from "werift";
import { FRAME_SAMPLES, OpusFrameDecoder, OpusFrameEncoder } from "./opus-frames.ts";
import type { PacedFrame } from "./audio-pacer.ts";

/** The data channel OpenAI's realtime calls carry their JSON events on. */
export const EVENTS_CHANNEL = "oai-events";

export interface WebRtcPeerOptions {
  /** The caller's audio, decoded: 48 kHz mono PCM16, one RTP packet's worth. */
  mic: (pcm: Int16Array) => void;
  /** One text message of the `oai-events` channel. */
  message: (text: string) => void;
  /** The connection failed or closed, or the caller closed the events channel. */
  closed: () => void;
}

/** A werift peer connection answering one offer, with Opus audio both ways and the events channel. */
export class WebRtcPeer {
  readonly #o: WebRtcPeerOptions;
  readonly #pc = new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
    codecs: { audio: [useOPUS()], video: [] },
  });
  readonly #track = new MediaStreamTrack({ kind: "audio" });
  readonly #encoder = new OpusFrameEncoder();
  readonly #decoder = new OpusFrameDecoder();
  #transceiver: RTCRtpTransceiver | undefined;
  #channel: RTCDataChannel | undefined;
  #outbox: string[] = [];
  #sequence = Math.floor(Math.random() * 0x10000);
  #closed = false;

  constructor(options: WebRtcPeerOptions) {
    this.#o = options;
    this.#pc.onTrack.subscribe((track) => {
      if (track.kind !== "audio") return;
      track.onReceiveRtp.subscribe((rtp) => {
        if (!this.#closed && rtp.payload.length > 0) this.#o.mic(this.#decoder.decode(rtp.payload));
      });
    });
    this.#pc.onDataChannel.subscribe((channel) => {
      if (channel.label !== EVENTS_CHANNEL) return;
      this.#channel = channel;
      channel.onMessage.subscribe((data) => this.#o.message(data.toString()));
      if (channel.readyState === "open") this.#flush();
      // werift notices a caller's close on the channel (SCTP) at once, on the connection only when ICE consent
      // fails, many seconds later: a closed events channel ends the call.
      channel.stateChanged.subscribe((state) => (state === "open" ? this.#flush() : state === "closed" && this.close()));
    });
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") this.close();
    });
  }

  /** Answers `offer` (SDP text) once ICE gathering is complete, with every candidate in the answer. */
  async answer(offer: string): Promise<string> {
    await this.#pc.setRemoteDescription({ type: "offer", sdp: offer });
    this.#transceiver = this.#pc.getTransceivers().find((transceiver) => transceiver.kind === "audio");
    if (!this.#transceiver) throw new Error("The offer has no audio m-section.");
    await this.#transceiver.sender.replaceTrack(this.#track);
    this.#transceiver.setDirection("sendrecv");
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    if (this.#pc.iceGatheringState !== "complete")
      await new Promise<void>((resolve) => this.#pc.iceGatheringStateChange.subscribe((state) => state === "complete" && resolve()));
    const sdp = this.#pc.localDescription?.sdp;
    if (!sdp) throw new Error("werift produced no answer.");
    return sdp;
  }

  /** Sends one paced frame as an Opus RTP packet with the negotiated payload type and SSRC. */
  sendFrame({ pcm, slot, resumed }: PacedFrame): void {
    const sender = this.#transceiver?.sender;
    if (this.#closed || !sender) return;
    const header = new RtpHeader({
      payloadType: sender.codec?.payloadType ?? 111,
      sequenceNumber: this.#sequence++ & 0xffff,
      timestamp: (slot * FRAME_SAMPLES) >>> 0,
      ssrc: sender.ssrc,
      marker: resumed,
    });
    this.#track.writeRtp(new RtpPacket(header, this.#encoder.encode(pcm)));
  }

  /** Sends `text` on the events channel; held until the channel opens. */
  send(text: string): void {
    if (this.#closed) return;
    if (this.#channel?.readyState === "open") this.#channel.send(text);
    else this.#outbox.push(text);
  }

  /** Closes the channel and the connection (idempotent); `closed` is called once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel?.close();
    void this.#pc.close().catch(() => {});
    this.#encoder.delete();
    this.#decoder.delete();
    this.#o.closed();
  }

  #flush(): void {
    for (const text of this.#outbox.splice(0)) this.#channel?.send(text);
  }
}
