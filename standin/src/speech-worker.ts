/** The worker side of {@link synthesizeOffThread}: eSpeak NG runs here, off the stand-in's event loop. */
import { parentPort } from "node:worker_threads";
import { synthesize, type SynthesizeOptions } from "./speech.ts";

parentPort!.on("message", (request: { id: number; text: string; options: SynthesizeOptions }) => {
  synthesize(request.text, request.options).then(
    (pcm) => parentPort!.postMessage({ id: request.id, pcm }, [pcm.buffer as ArrayBuffer]),
    (error: unknown) => parentPort!.postMessage({ id: request.id, error: (error as Error).message }),
  );
});
