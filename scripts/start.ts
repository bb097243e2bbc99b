/** `pnpm start`: relay + demo (+ the offline stand-in when no provider key is set). Ctrl-C stops all. */
import { startStack } from "./stack.ts";

const stack = await startStack({
  relayPort: Number(process.env.PORT ?? 8787),
  demoPort: Number(process.env.DEMO_PORT ?? 5173),
  standinPort: Number(process.env.STANDIN_PORT ?? 8790),
});
const upstream = stack.standinUrl
  ? `OFFLINE DEMO stand-in at ${stack.standinUrl} (set OPENAI_API_KEY for a real provider)`
  : "the configured provider";
console.log(`\nvoice-agent is running\n  open the demo:  ${stack.demoUrl}\n  relay:          ${stack.relayUrl}\n  upstream:       ${upstream}\nPress Ctrl-C to stop.\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stack.stop().then(() => process.exit(0)));
}
