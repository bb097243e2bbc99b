/**
 * Worker entry of the audio loop (`audio-loop.worker.js` beside the widget script): the VAD, end of turn
 * and barge-in run here, away from the host page's main thread. See `audio-loop-host.ts` for how the
 * engine starts it on each kind of embed.
 */
import { serveAudioLoop, type LoopPort } from "./audio-loop.ts";
import { loadBrowserSpeechModel } from "./browser-speech-model.ts";

serveAudioLoop(self as unknown as LoopPort, loadBrowserSpeechModel);
