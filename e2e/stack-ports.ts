/**
 * Ports of the stack the e2e suite starts: apart from `pnpm start`'s, and moved as a block by
 * `E2E_PORT_BASE` (default 18700) so that several checkouts can run the suite at once.
 */
const base = Number(process.env.E2E_PORT_BASE ?? 18_700);

export const E2E = {
  relayPort: base + 87,
  demoPort: base + 73,
  standinPort: base + 90,
  relayUrl: `http://127.0.0.1:${base + 87}`,
  demoUrl: `http://127.0.0.1:${base + 73}`,
  standinUrl: `http://127.0.0.1:${base + 90}`,
} as const;
