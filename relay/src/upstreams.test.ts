import { describe, expect, it } from "vitest";
import { loggableBaseURL, resolveUpstreams } from "./upstreams.ts";

describe("resolveUpstreams", () => {
  it("uses the shared key and lets stage variables override it", () => {
    const up = resolveUpstreams({ OPENAI_API_KEY: "shared", TTS_API_KEY: "tts-key", TTS_BASE_URL: "http://tts.local/v1/" });
    expect(up.kind).toBe("provider");
    expect(up.stt).toEqual({ baseURL: "https://api.openai.com/v1", apiKey: "shared" });
    expect(up.tts).toEqual({ baseURL: "http://tts.local/v1", apiKey: "tts-key" });
  });

  it("points every stage at the offline stand-in when no key is set", () => {
    const up = resolveUpstreams({ OFFLINE_DEMO_UPSTREAM: "http://127.0.0.1:8790/v1" });
    expect(up.kind).toBe("offline-demo");
    expect(up.llm.baseURL).toBe("http://127.0.0.1:8790/v1");
  });

  it("prefers a real key over the offline stand-in", () => {
    expect(resolveUpstreams({ OPENAI_API_KEY: "k", OFFLINE_DEMO_UPSTREAM: "http://127.0.0.1:8790/v1" }).kind).toBe("provider");
  });

  it("says what to set when nothing is configured", () => {
    expect(() => resolveUpstreams({})).toThrow(/set OPENAI_API_KEY .*OFFLINE_DEMO_UPSTREAM=/);
  });

  it("names the stage without a key", () => {
    expect(() => resolveUpstreams({ STT_API_KEY: "k" })).toThrow("no API key for the llm stage: set OPENAI_API_KEY (or LLM_API_KEY)");
  });
});

describe("loggableBaseURL", () => {
  it("drops user-info, query and fragment, where credentials can be", () => {
    expect(loggableBaseURL("https://user:secret@llm.example.com:8443/openai/v1?api-key=sk-abc#x")).toBe(
      "https://llm.example.com:8443/openai/v1",
    );
    expect(loggableBaseURL("http://127.0.0.1:8790/v1")).toBe("http://127.0.0.1:8790/v1");
  });
});
