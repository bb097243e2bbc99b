/**
 * `pnpm start`: relay + demo (+ the offline stand-in when no provider key is set). Ctrl-C stops all and
 * exits 0. The `start` script `exec`s this file: pnpm runs scripts with `sh -c`, and a dash (Debian's
 * `sh`) left waiting as the parent re-raises the terminal's SIGINT on itself once its child has exited,
 * even with code 0, which pnpm reports as "ELIFECYCLE Command failed".
 */
import { relative } from "node:path";
import { DEV_SECRETS_FILE, resolveDevSecrets } from "./dev-secrets.ts";
import { startStack } from "./stack.ts";

// Development secrets for the relay, unless configured: kept between starts so that visitors' tokens and
// the records URL survive a restart. The admin token only travels in the printed URL's fragment, which
// browsers never send to a server.
const secretsFile = process.env.DEV_SECRETS_FILE || DEV_SECRETS_FILE;
let secrets: ReturnType<typeof resolveDevSecrets>;
try {
  secrets = resolveDevSecrets(process.env, secretsFile);
} catch (err) {
  console.error(`start: ${(err as Error).message}`);
  process.exit(1);
}

const stack = await startStack({
  relayPort: Number(process.env.PORT ?? 8787),
  demoPort: Number(process.env.DEMO_PORT ?? 5173),
  standinPort: Number(process.env.STANDIN_PORT ?? 8790),
  relayEnv: { ADMIN_TOKEN: secrets.adminToken, RELAY_TOKEN_SECRET: secrets.tokenSecret },
});
// Before the banner, so that a Ctrl-C right after "Press Ctrl-C" finds it. Ctrl-C reaches this process
// twice (the terminal signals the whole group, and pnpm forwards its own SIGINT): a repeated signal must
// find a handler too, or its default action kills the process.
let stopping: Promise<void> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void (stopping ??= stack.stop().then(() => process.exit(0))));
}
const upstream = stack.standinUrl
  ? `OFFLINE DEMO stand-in at ${stack.standinUrl} (set OPENAI_API_KEY for a real provider)`
  : "the configured provider";
const kept =
  process.env.ADMIN_TOKEN && process.env.RELAY_TOKEN_SECRET
    ? "from the environment"
    : `kept in ${relative(process.cwd(), secretsFile)} (delete it for new ones)`;
console.log(
  `\nvoice-agent is running\n  open the demo:  ${stack.demoUrl}\n  records:        ${stack.demoUrl}/records.html#token=${secrets.adminToken}\n  relay:          ${stack.relayUrl}\n  upstream:       ${upstream}\n  secrets:        ${kept}\nPress Ctrl-C to stop.\n`,
);
