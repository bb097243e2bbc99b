/**
 * Start-up of the real audio engine when its AudioContext never runs. Firefox never settles `resume()`
 * on a context created without user activation or on a machine without an audio output device: the
 * element must end in an `audio` error, not wait in `initializing` forever.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { userEvent } from "vitest/browser";
import type { AudioFactory } from "./conversation/audio-port.ts";
import { defaultServices, preloadAudioEngine } from "./services.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";
import { DEFAULT_STRINGS } from "./voice-agent.strings.ts";

const TIMEOUT_MS = 200;
let m: Mounted | undefined;
let resumes = 0;
/** Per `resume()` call: whether it ran while a click was being dispatched (synchronously inside it). */
let resumedInClick: boolean[] = [];
let inClick = false;
// Capture on the way down, bubble on the way up: true exactly while the click's listeners run.
document.addEventListener("click", () => (inClick = true), true);
document.addEventListener("click", () => (inClick = false));
const realResume = AudioContext.prototype.resume;

// The production factory (engine chunk loaded, so it builds the engine synchronously) with a short timeout.
const factory: AudioFactory = (options) => defaultServices.audio({ ...options, startTimeoutMs: TIMEOUT_MS });

beforeAll(async () => {
  await preloadAudioEngine();
});
beforeEach(() => {
  resumes = 0;
  resumedInClick = [];
  AudioContext.prototype.resume = function () {
    resumes++;
    resumedInClick.push(inClick);
    return new Promise<void>(() => {});
  };
});
afterEach(() => {
  AudioContext.prototype.resume = realResume;
  m?.remove();
});

async function expectAudioError(): Promise<string> {
  // Well under the 6 s default: the injected timeout is the one that fired.
  await vi.waitFor(() => expect(m!.el.state).toMatchObject({ kind: "error", code: "audio" }), { timeout: 2000, interval: 5 });
  await m!.el.updateComplete;
  const errors = m!.of("va-error");
  expect(errors).toEqual([{ code: "audio", message: expect.any(String), fatal: true }]);
  expect(m!.$("[role=alert]")!.textContent).toContain(DEFAULT_STRINGS.errors.audio);
  return errors[0]!.message;
}

describe("<voice-agent> start when the AudioContext never runs", () => {
  test("start() from a script (no user activation): an audio error that asks for a click", async () => {
    m = await mountElement({ config: { greet: false }, audioFactory: factory });
    expect(navigator.userActivation.isActive).toBe(false);
    m.el.start();
    // Resumed before start() returned, i.e. inside the caller's gesture when there is one.
    expect(resumes).toBe(1);
    expect(m.el.state.kind).toBe("initializing");
    const message = await expectAudioError();
    expect(message).toMatch(/without a user gesture.*click or key press/);
  });

  test("a click on Start in the launcher's panel: the audio error says the output did not start (no gesture hint)", async () => {
    m = await mountElement({ config: { greet: false }, audioFactory: factory });
    await userEvent.click(m.$("[part=launcher]")!);
    await m.el.updateComplete;
    await userEvent.click(m.$("[part~=start]")!);
    // Resumed synchronously inside the click's dispatch (before any await), then awaited by the engine.
    expect(resumedInClick[0]).toBe(true);
    const message = await expectAudioError();
    expect(message).toContain(`${TIMEOUT_MS} ms`);
    expect(message).not.toMatch(/gesture/);
  });

  test("a worklet module that never loads: an audio error too", async () => {
    AudioContext.prototype.resume = () => Promise.resolve();
    const realAddModule = AudioWorklet.prototype.addModule;
    AudioWorklet.prototype.addModule = () => new Promise<void>(() => {});
    try {
      m = await mountElement({ config: { greet: false }, audioFactory: factory });
      m.el.start();
      expect(await expectAudioError()).toMatch(/audio worklets did not finish/);
    } finally {
      AudioWorklet.prototype.addModule = realAddModule;
    }
  });
});
