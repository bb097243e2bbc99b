/** The launcher, the default layout: opening and closing, the state sign and its name, reduced motion. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { commands, page, userEvent } from "vitest/browser";
import { mountElement, type Mounted } from "./testing/mount-element.ts";

let m: Mounted | undefined;
afterEach(async () => {
  m?.remove();
  await commands.emulateReducedMotion(false);
});
const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });

const launcher = () => m!.$<HTMLButtonElement>("[part=launcher]")!;
const sign = () => m!.$("[part=launcher-sign]")!;
const barHeights = () => [...sign().querySelectorAll("i")].map((bar) => bar.getBoundingClientRect().height);

describe("<voice-agent> launcher", () => {
  test("is the default: it opens the panel from the keyboard, Escape closes it and returns focus", async () => {
    m = await mountElement();
    expect(m.$("[part=panel]")!.hidden).toBe(true);
    expect(getComputedStyle(launcher()).position).toBe("fixed");
    launcher().focus();
    await userEvent.keyboard("{Enter}");
    await m.el.updateComplete;
    expect(launcher().getAttribute("aria-expanded")).toBe("true");
    expect(m.$("[part=panel]")!.hidden).toBe(false);
    expect(m.el.shadowRoot!.activeElement?.id).toBe("input");
    await userEvent.keyboard("{Escape}");
    await m.el.updateComplete;
    expect(m.$("[part=panel]")!.hidden).toBe(true);
    expect(m.el.shadowRoot!.activeElement).toBe(launcher());
  });

  test.each([[{ attributes: { layout: "inline" } }], [{ config: { layout: "inline" as const } }]])(
    "%o puts the panel in the page, without a launcher",
    async (options) => {
      m = await mountElement(options);
      expect(launcher()).toBeNull();
      expect(m.$("[part=panel]")!.hidden).toBe(false);
      expect(getComputedStyle(m.$("[part=panel]")!).position).toBe("static");
    },
  );

  test("the layout attribute wins over config.layout", async () => {
    m = await mountElement({ attributes: { layout: "launcher" }, config: { layout: "inline" } });
    expect(launcher()).not.toBeNull();
  });

  test("the sign and the accessible name follow the state: idle, listening, speaking, error", async () => {
    m = await mountElement({ config: { greet: false } });
    const named = (name: string) => expect.element(page.getByRole("button", { name, exact: true })).toBeInTheDocument();
    expect(sign().dataset.sign).toBe("idle");
    await named("Talk to us");
    launcher().click();
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await m.el.updateComplete;
    expect(sign().dataset.sign).toBe("listening");
    await named("Close (Listening)");
    m.audio.engine.player!.holdPlayback = true;
    m.el.sendText("hello");
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    await m.el.updateComplete;
    expect(sign().dataset.sign).toBe("speaking");
    await named("Close (Speaking)");
    m.el.stop();
    m.audio.failNextStart("mic-denied");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("error"));
    await m.el.updateComplete;
    expect(sign().dataset.sign).toBe("error");
    expect(getComputedStyle(sign(), "::after").content).toBe('"!"');
    await named("Close (Error)");
  });

  test("while listening the bars follow the microphone's level", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await m.el.updateComplete;
    m.audio.engine.level(-90);
    const quiet = barHeights();
    m.audio.engine.level(-20);
    await until(() => expect(barHeights()[1]).toBeGreaterThan(quiet[1]! * 2));
  });

  test("with prefers-reduced-motion nothing moves: bars that ignore the level, no animation while speaking", async () => {
    m = await mountElement({ config: { greet: false } });
    await commands.emulateReducedMotion(true);
    expect(matchMedia("(prefers-reduced-motion: reduce)").matches).toBe(true);
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await m.el.updateComplete;
    m.audio.engine.level(-90);
    const still = barHeights();
    m.audio.engine.level(-20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(barHeights()).toEqual(still);
    expect(sign().getAnimations({ subtree: true })).toHaveLength(0);

    m.audio.engine.player!.holdPlayback = true;
    m.el.sendText("hello");
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    await m.el.updateComplete;
    expect(sign().dataset.sign).toBe("speaking");
    expect(sign().getAnimations({ subtree: true })).toHaveLength(0);
    await commands.emulateReducedMotion(false);
    await until(() => expect(sign().getAnimations({ subtree: true }).length).toBeGreaterThan(0));
  });
});
