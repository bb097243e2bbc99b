import { describe, expect, it } from "vitest";
import { LATENCY_PRESETS, latencyFromEnv, resolveLatency } from "./latency-profile.ts";

describe("resolveLatency", () => {
  it("defaults to instant: no waits but words 15 ms apart", () => {
    expect(resolveLatency()).toEqual({
      sttBaseMs: 0,
      sttPerAudioSecondMs: 0,
      llmFirstTokenMs: 15,
      llmPerTokenMs: 15,
      ttsFirstByteMs: 0,
      ttsPace: 0,
      jitter: 0,
      seed: 1,
    });
  });

  it("resolves typical-cloud by name, and values over instant", () => {
    expect(resolveLatency("typical-cloud")).toMatchObject({
      sttBaseMs: 200,
      sttPerAudioSecondMs: 50,
      llmFirstTokenMs: 350,
      llmPerTokenMs: 15,
      ttsFirstByteMs: 200,
      ttsPace: 3,
    });
    expect(resolveLatency({ ttsPace: 1 })).toEqual({ ...LATENCY_PRESETS.instant, ttsPace: 1 });
  });

  it("refuses an unknown preset and values out of range, naming them", () => {
    expect(() => resolveLatency("fast" as "instant")).toThrow(/Unknown latency profile "fast": use one of instant, typical-cloud/);
    expect(() => resolveLatency({ llmFirstTokenMs: -1 })).toThrow(/`llmFirstTokenMs` must be a finite number ≥ 0/);
    expect(() => resolveLatency({ ttsPace: Number.NaN })).toThrow(/`ttsPace`/);
    expect(() => resolveLatency({ jitter: 1 })).toThrow(/`jitter` must be from 0 to 0.9/);
    expect(() => resolveLatency({ seed: 1.5 })).toThrow(/`seed` must be an integer/);
  });
});

describe("latencyFromEnv", () => {
  it("takes STANDIN_PROFILE, then single values over it", () => {
    expect(latencyFromEnv({})).toEqual(LATENCY_PRESETS.instant);
    expect(
      latencyFromEnv({ STANDIN_PROFILE: "typical-cloud", STANDIN_JITTER: "0", STANDIN_STT_PER_AUDIO_SECOND_MS: "80", STANDIN_SEED: "" }),
    ).toEqual({
      ...LATENCY_PRESETS["typical-cloud"],
      jitter: 0,
      sttPerAudioSecondMs: 80,
    });
    expect(latencyFromEnv({ STANDIN_LLM_FIRST_TOKEN_MS: "0", STANDIN_LLM_PER_TOKEN_MS: "0", STANDIN_TTS_PACE: "1" })).toMatchObject({
      llmFirstTokenMs: 0,
      llmPerTokenMs: 0,
      ttsPace: 1,
    });
  });

  it("names the variable of a bad value", () => {
    expect(() => latencyFromEnv({ STANDIN_PROFILE: "slow" })).toThrow(/Unknown latency profile "slow"/);
    expect(() => latencyFromEnv({ STANDIN_TTS_FIRST_BYTE_MS: "soon" })).toThrow(/STANDIN_TTS_FIRST_BYTE_MS must be a number, got "soon"/);
  });
});
