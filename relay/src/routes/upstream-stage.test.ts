import { describe, expect, it } from "vitest";
import { PATHS } from "../protocol.ts";
import { createTestApp, createToken, TEST_ORIGIN, testUpstreams } from "../../test/fixtures.ts";
import { listen, silentWav } from "../../test/servers.ts";

describe("upstream stage calls", () => {
  it("end a non-streamed transcription and a realtime key minting with 503 shutting_down when the relay shuts down", async () => {
    // An upstream that answers nothing until the relay gives up on it.
    const arrived: string[] = [];
    const released: string[] = [];
    const upstream = await listen((req) => {
      const path = new URL(req.url).pathname;
      arrived.push(path);
      return new Promise<Response>((resolve) =>
        req.signal.addEventListener("abort", () => (released.push(path), resolve(new Response(null, { status: 500 })))),
      );
    });
    try {
      const closing = new AbortController();
      const { app } = createTestApp({ upstreams: testUpstreams(`${upstream.url}/v1`), closing: closing.signal });
      const headers = { authorization: `Bearer ${await createToken(app)}`, origin: TEST_ORIGIN };
      const form = new FormData();
      form.append("file", silentWav(1), "u.wav");
      const answers = Promise.all([
        app.request(PATHS.transcriptions, { method: "POST", headers, body: form }),
        app.request(PATHS.realtimeClientSecrets, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: "{}",
        }),
      ]);
      await expect.poll(() => arrived.length).toBe(2);
      closing.abort();
      const answered = await Promise.all(
        (await answers).map(async (res) => [
          res.status,
          res.headers.get("retry-after"),
          ((await res.json()) as { error: { code: string } }).error.code,
        ]),
      );
      expect(answered).toEqual([
        [503, "1", "shutting_down"],
        [503, "1", "shutting_down"],
      ]);
      await expect.poll(() => released.sort()).toEqual(["/v1/audio/transcriptions", "/v1/realtime/client_secrets"]);
    } finally {
      await upstream.close();
    }
  });
});
