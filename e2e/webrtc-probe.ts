/**
 * What the WebRTC tests watch in the page, installed before its scripts: every `RTCPeerConnection` the
 * widget opens (for its `getStats()`), every event it sends on a data channel and every mute of a media
 * element playing a stream, with their times (`performance.now()`).
 */
import type { Page } from "@playwright/test";

/** What `window.rtcProbe` holds. */
export interface RtcProbe {
  sent: { at: number; type: string; audioEndMs?: number }[];
  mutes: { at: number; muted: boolean }[];
  /**
   * The newest call's remote audio every 200 ms (seldom: a reading is cached for a few ms, and the widget reads it too): `inbound-rtp.jitterBufferEmittedCount` and
   * `jitterBufferDelay` (s, summed per emitted sample), and the media-playout's average delay (s).
   */
  stats: { at: number; emitted: number; jitterBufferDelay: number; playoutDelay: number }[];
}

/** The remote audio of the widget's newest call, from `getStats()`. */
export interface RemoteAudio {
  /** `inbound-rtp.totalAudioEnergy`: the received audio's energy (0 for silence). */
  energy: number;
  /** `inbound-rtp.jitterBufferEmittedCount` ÷ 48: real audio played out, ms. */
  playedMs: number;
}

/** Installs the probe (call before `page.goto`). */
export async function installRtcProbe(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { rtcProbe: RtcProbe; rtcPeers: RTCPeerConnection[] };
    w.rtcProbe = { sent: [], mutes: [], stats: [] };
    setInterval(() => {
      const pc = w.rtcPeers.at(-1);
      if (!pc || pc.connectionState !== "connected") return;
      const at = performance.now();
      void pc.getStats().then((report) => {
        const all: Record<string, number | string>[] = [];
        report.forEach((s: Record<string, number | string>) => all.push(s));
        const inbound = all.find((s) => s.type === "inbound-rtp" && s.kind === "audio");
        const playout = all.find((s) => s.type === "media-playout");
        if (!inbound) return;
        w.rtcProbe.stats.push({
          at,
          emitted: Number(inbound.jitterBufferEmittedCount),
          jitterBufferDelay: Number(inbound.jitterBufferDelay),
          playoutDelay: playout ? Number(playout.totalPlayoutDelay) / Number(playout.totalSamplesCount) : 0,
        });
      });
    }, 200);
    w.rtcPeers = [];
    const Native = RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        w.rtcPeers.push(this);
      }
    };
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string) {
      const event = JSON.parse(data) as { type: string; audio_end_ms?: number };
      w.rtcProbe.sent.push({ at: performance.now(), type: event.type, audioEndMs: event.audio_end_ms });
      (send as (this: RTCDataChannel, data: string) => void).call(this, data);
    } as RTCDataChannel["send"];
    const muted = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, "muted")!;
    Object.defineProperty(HTMLMediaElement.prototype, "muted", {
      ...muted,
      set(this: HTMLMediaElement, value: boolean) {
        if (this.srcObject && value !== this.muted) w.rtcProbe.mutes.push({ at: performance.now(), muted: value });
        muted.set!.call(this, value);
      },
    });
  });
}

export const rtcProbe = (page: Page) => page.evaluate(() => (window as unknown as { rtcProbe: RtcProbe }).rtcProbe);

/** The newest call's remote audio so far. */
export function remoteAudio(page: Page): Promise<RemoteAudio> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { rtcPeers: RTCPeerConnection[] }).rtcPeers;
    const stats: Record<string, unknown>[] = [];
    (await peers.at(-1)!.getStats()).forEach((s: Record<string, unknown>) => stats.push(s));
    const inbound = stats.find((s) => s.type === "inbound-rtp" && s.kind === "audio") ?? {};
    return { energy: Number(inbound.totalAudioEnergy ?? 0), playedMs: Number(inbound.jitterBufferEmittedCount ?? 0) / 48 };
  });
}
