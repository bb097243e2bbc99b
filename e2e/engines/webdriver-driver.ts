/**
 * WebKitGTK through WebDriver classic: Debian's `WebKitWebDriver` driving its MiniBrowser on a private
 * Xvfb display, with selenium-webdriver as the client. This driver has no BiDi: no preload scripts and no
 * network events, so the page's probe is installed right after `load` (the widget asks for the
 * microphone only on Start) and `requests` is undefined.
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { Builder, Origin } from "selenium-webdriver";
import { captureOutput, type BrowserDriver, type MicSetup } from "./browser-driver.ts";
import { installEventLog, installMicrophone, type PageMic } from "./page-probe.ts";
import { startXvfb } from "./xvfb.ts";

/** `WebKitWebDriver` executable: `WEBKIT_DRIVER_PATH`, default Debian's (package `webkit2gtk-driver`). */
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? "/usr/bin/WebKitWebDriver";
/** The browser WebKitWebDriver starts: `WEBKIT_BROWSER_PATH`, default Debian's MiniBrowser. */
export const WEBKIT_BROWSER_PATH = process.env.WEBKIT_BROWSER_PATH ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/** Launches MiniBrowser. Its mock capture device beeps (which can trigger barge-in): the mic is always the page's. */
export async function launchWebKit(mic: MicSetup): Promise<BrowserDriver> {
  const x = await startXvfb();
  const port = await freePort();
  const server = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: x.display },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = captureOutput([server.stdout, server.stderr]);
  const stop = () => {
    server.kill();
    x.close();
  };
  try {
    await waitForStatus(`http://127.0.0.1:${port}`);
    const driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({
        browserName: "MiniBrowser",
        "webkitgtk:browserOptions": {
          binary: WEBKIT_BROWSER_PATH,
          args: ["--automation", "--autoplay-policy=allow", "--enable-media-stream=true", "--enable-mock-capture-devices=true"],
        },
      })
      .build();
    const pageMic: PageMic = mic === "denied" ? { kind: "deny" } : { kind: "wav", base64: (await readFile(mic.wav)).toString("base64") };
    const probe = async () => {
      await driver.executeScript(installEventLog);
      await driver.executeScript(installMicrophone, pageMic);
    };
    return {
      engine: "webkit",
      goto: async (url) => {
        await driver.get(url);
        await probe();
      },
      reload: async () => {
        await driver.navigate().refresh();
        await probe();
      },
      evaluate: (fn, arg) => driver.executeScript(fn as never, arg),
      click: ({ x, y }) =>
        driver
          .actions()
          .move({ x: Math.round(x), y: Math.round(y), origin: Origin.VIEWPORT })
          .click()
          .perform(),
      type: (text) => driver.actions().sendKeys(text).perform(),
      screenshot: async (path) => writeFile(path, await driver.takeScreenshot(), "base64"),
      requests: undefined,
      output,
      close: async () => {
        await driver.quit().catch(() => {});
        stop();
      },
    };
  } catch (error) {
    stop();
    throw new Error(`WebKitWebDriver did not start a session: ${output().slice(-2000)}`, { cause: error });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until the driver answers `GET /status` (it listens a few ms after spawning). */
async function waitForStatus(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${url}/status`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`${url}/status did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
