/**
 * The browser side of a realtime call over WebRTC: an `RTCPeerConnection` that sends the microphone track
 * and plays the reply's track, with the OpenAI Realtime events on its `oai-events` data channel. The relay
 * creates the call (`POST /v1/realtime/calls` with the offer), or the widget does with an ephemeral key the
 * relay minted ({@link offerToProvider}); media and events then go to the provider directly. Loaded only
 * for `transport="webrtc"`.
 */
import type { RealtimeClientSecret } from "@voice-agent/relay/protocol";
import type { RealtimeEvent, RealtimeHandlers, RealtimeMediaChannel } from "./conversation/transport.ts";
import { heardBetween, playoutOf, type Playout } from "./playout-stats.ts";
import { WidgetError } from "./widget-error.ts";
import { within } from "./within.ts";

/** Longest wait from the answer to an open events channel (ICE, DTLS, SCTP), ms. */
const CONNECT_TIMEOUT_MS = 15_000;
/** How long ICE may stay `disconnected` (a network change) before the call counts as lost, ms. */
const DISCONNECTED_MS = 4000;
/** The close code handed to {@link RealtimeHandlers.closed} for a call lost on the network (as a WebSocket's abnormal close). */
const LOST = 1006;

/**
 * Opens a call: the offer goes out at once through `postOffer` (no waiting for ICE gathering: the provider
 * learns the browser's address from its checks), which resolves with the answer's SDP or rejects with the
 * relay's WidgetError. Resolves once the events channel is open; rejects with `relay-unreachable` when the
 * call does not connect, `audio` when the browser refuses to play the reply. Without `microphone` the call
 * only receives (a typed conversation). A lost call (the events channel closed, ICE `failed`, or
 * `disconnected` for {@link DISCONNECTED_MS}) calls `handlers.closed(1006, "")`; its `heardMs` then still
 * tells what was played until it was lost.
 */
export async function openRealtimeWebRtc(
  relayUrl: string,
  handlers: RealtimeHandlers,
  microphone: MediaStreamTrack | undefined,
  postOffer: (sdp: string) => Promise<string>,
): Promise<RealtimeMediaChannel> {
  const pc = new RTCPeerConnection();
  const audio = new Audio();
  let state: "connecting" | "open" | "ended" = "connecting";
  let disconnected: ReturnType<typeof setTimeout> | undefined;
  let lost: (() => void) | undefined;
  /** The playout read as the call was lost, before its connection closed (a closed one has no stats). */
  let last: Promise<Playout | undefined> | undefined;
  const playout = () =>
    last ??
    pc.getStats().then(
      (report) => playoutOf(report.values() as Iterable<{ type: string }>),
      () => undefined,
    );
  const end = () => {
    state = "ended";
    clearTimeout(disconnected);
    pc.close();
    audio.pause();
    audio.srcObject = null;
  };
  const drop = () => {
    if (state === "open") {
      // What of the reply was heard is asked after this (the reconnect cuts the reply): read it now.
      last = playout();
      end();
      handlers.closed(LOST, "");
    } else lost?.();
  };
  if (microphone) pc.addTrack(microphone, new MediaStream([microphone]));
  else pc.addTransceiver("audio", { direction: "recvonly" });
  const events = pc.createDataChannel("oai-events");
  events.onmessage = (message) => {
    if (typeof message.data === "string") handlers.event(JSON.parse(message.data) as RealtimeEvent);
  };
  events.onclose = drop;
  pc.onconnectionstatechange = () => {
    clearTimeout(disconnected);
    if (pc.connectionState === "failed") drop();
    else if (pc.connectionState === "disconnected") disconnected = setTimeout(drop, DISCONNECTED_MS);
  };
  // The reply plays through an element: Chromium's echo canceller takes its output as the reference.
  const playing = new Promise<void>((resolve, reject) => {
    pc.ontrack = (event) => {
      audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      audio.play().then(resolve, reject);
    };
  });
  playing.catch(() => {}); // awaited below
  const unreachable = (cause?: unknown) =>
    new WidgetError(
      "relay-unreachable",
      `The WebRTC call through the relay at ${relayUrl} could not connect (the network or a firewall blocks it, or the page's policy does not allow WebRTC).`,
      cause,
    );
  try {
    await pc.setLocalDescription();
    const answer = await postOffer(pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    const connected = new Promise<void>((resolve, reject) => {
      events.onopen = () => resolve();
      lost = () => reject(unreachable(new Error(`connection ${pc.connectionState}`)));
    });
    await within(connected, CONNECT_TIMEOUT_MS, "relay-unreachable", "Connecting the WebRTC call");
    await within(playing, CONNECT_TIMEOUT_MS, "audio", "Playing the reply's track").catch((cause: unknown) => {
      throw new WidgetError("audio", "The browser did not let the reply play: start the conversation from a click.", cause);
    });
  } catch (error) {
    end();
    throw error instanceof WidgetError ? error : unreachable(error);
  }
  state = "open";
  let base: Promise<Playout | undefined> = Promise.resolve(undefined);
  return {
    send: (event) => events.readyState === "open" && events.send(JSON.stringify(event)),
    close: () => state === "open" && end(),
    markReply: () => void (base = playout()),
    heardMs: async () => {
      const now = playout();
      return heardBetween(await base, await now);
    },
    muteReply: (muted) => void (audio.muted = muted),
  };
}

/**
 * Posts the offer to the provider with an ephemeral key (`key.calls_url`, the key as Bearer) and resolves
 * with the answer's SDP. Rejects with `relay-unreachable` when the provider cannot be reached (the network,
 * or a page policy whose `connect-src` does not name it), `upstream` when it refuses the offer.
 */
export async function offerToProvider(sdp: string, key: RealtimeClientSecret): Promise<string> {
  const provider = new URL(key.calls_url).origin;
  let response: Response;
  try {
    response = await fetch(key.calls_url, {
      method: "POST",
      body: sdp,
      headers: { authorization: `Bearer ${key.value}`, "content-type": "application/sdp" },
    });
  } catch (cause) {
    throw new WidgetError(
      "relay-unreachable",
      `The realtime provider at ${provider} could not be reached to start the call (the network, or the page's connect-src policy, blocks it).`,
      cause,
    );
  }
  if (!response.ok) throw new WidgetError("upstream", `The realtime provider at ${provider} refused the call (HTTP ${response.status}).`);
  return response.text();
}
