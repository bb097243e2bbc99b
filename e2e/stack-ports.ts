/** Ports of the stack the e2e suite starts (apart from `pnpm start`'s, so both can run at once). */
export const E2E = {
  relayPort: 18787,
  demoPort: 15173,
  standinPort: 18790,
  relayUrl: "http://127.0.0.1:18787",
  demoUrl: "http://127.0.0.1:15173",
  standinUrl: "http://127.0.0.1:18790",
} as const;
