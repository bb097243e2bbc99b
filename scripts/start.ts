/** `pnpm start`: relay + demo (+ the offline stand-in when no provider key is set). Ctrl-C stops all. */
import { randomBytes } from "node:crypto";
import { startStack } from "./stack.ts";

// A development admin token for the records page, unless one is configured. It only travels in the
// printed URL's fragment, which browsers never send to a server.
const adminToken = process.env.ADMIN_TOKEN || randomBytes(24).toString("hex");

const stack = await startStack({
  relayPort: Number(process.env.PORT ?? 8787),
  demoPort: Number(process.env.DEMO_PORT ?? 5173),
  standinPort: Number(process.env.STANDIN_PORT ?? 8790),
  relayEnv: { ADMIN_TOKEN: adminToken },
});
const upstream = stack.standinUrl
  ? `OFFLINE DEMO stand-in at ${stack.standinUrl} (set OPENAI_API_KEY for a real provider)`
  : "the configured provider";
console.log(`\nvoice-agent is running\n  open the demo:  ${stack.demoUrl}\n  records:        ${stack.demoUrl}/records.html#token=${adminToken}\n  relay:          ${stack.relayUrl}\n  upstream:       ${upstream}\nPress Ctrl-C to stop.\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stack.stop().then(() => process.exit(0)));
}
