/** `pnpm --filter @voice-agent/widget analyze <file.wav>`: prints the detected utterances as JSON. */
import { readFile } from "node:fs/promises";
import { analyzeWav } from "./analyze-wav.ts";

const file = process.argv[2];
if (!file) {
  console.error("usage: analyze <file.wav>  (any sample rate and channel count)");
  process.exit(2);
}
try {
  console.log(JSON.stringify(await analyzeWav(await readFile(file))));
} catch (error) {
  console.error(`analyze: ${file}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
