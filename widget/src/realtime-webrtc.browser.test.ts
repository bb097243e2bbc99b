/**
 * `openRealtimeWebRtc` against a peer connection in the same page playing the provider: it answers the
 * offer, sends a tone on its track and opens nothing else (the browser opens `oai-events`).
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { userEvent } from "vitest/browser";
import type { RealtimeHandlers } from "./conversation/transport.ts";
import { openRealtimeWebRtc } from "./realtime-webrtc.ts";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** The provider's side: answers with its candidates gathered, and plays a 440 Hz tone on its track. */
function provider() {
  const pc = new RTCPeerConnection();
  const context = new AudioContext();
  const tone = context.createOscillator();
  const out = context.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  pc.addTrack(out.stream.getAudioTracks()[0]!, out.stream);
  cleanups.push(() => {
    pc.close();
    void context.close();
  });
  return {
    pc,
    async answer(offer: string): Promise<string> {
      await context.resume();
      await pc.setRemoteDescription({ type: "offer", sdp: offer });
      await pc.setLocalDescription();
      if (pc.iceGatheringState !== "complete")
        await new Promise<void>((resolve) =>
          pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve()),
        );
      return pc.localDescription!.sdp;
    },
  };
}

/** A click: the reply's audio element may play (autoplay policy). */
async function gesture(): Promise<void> {
  const button = document.createElement("button");
  button.textContent = "Start";
  document.body.append(button);
  await userEvent.click(button);
  button.remove();
}

describe("openRealtimeWebRtc", () => {
  test("a call lost mid-reply (the provider hung up) still tells what of the reply was heard", async () => {
    await gesture();
    const remote = provider();
    const closed = vi.fn<RealtimeHandlers["closed"]>();
    const channel = await openRealtimeWebRtc("http://relay.test", { event: () => {}, closed }, undefined, (sdp) => remote.answer(sdp));
    cleanups.push(() => channel.close());
    channel.markReply();
    await vi.waitFor(async () => expect(await channel.heardMs()).toBeGreaterThan(600), { timeout: 5000, interval: 50 });
    const heard = await channel.heardMs();

    remote.pc.close();
    await vi.waitFor(() => expect(closed).toHaveBeenCalledWith(1006, ""), { timeout: 10_000, interval: 20 });
    // Read after the call ended (a closed connection has no stats): what was played before it ended.
    const atEnd = await channel.heardMs();
    expect(atEnd).toBeGreaterThanOrEqual(heard);
    expect(atEnd).toBeLessThan(heard + 1000);
  });
});
