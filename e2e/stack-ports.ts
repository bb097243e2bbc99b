/**
 * Ports of the stacks the e2e suite and benchmarks start: apart from `pnpm start`'s, and moved as a
 * block by `E2E_PORT_BASE` (default 18700) so that several checkouts can run the suite at once.
 */
const base = Number(process.env.E2E_PORT_BASE ?? 18_700);

export const E2E = {
  relayPort: base + 87,
  demoPort: base + 73,
  standinPort: base + 90,
  relayUrl: `http://127.0.0.1:${base + 87}`,
  demoUrl: `http://127.0.0.1:${base + 73}`,
  standinUrl: `http://127.0.0.1:${base + 90}`,
  /** The strict-CSP embed page's server: another origin than the demo's and the relay's (host name too). */
  embedPort: base + 74,
  embedUrl: `http://localhost:${base + 74}`,
  /** The relay the failure journeys kill, restart and reconfigure (same stand-in). */
  faultRelayPort: base + 88,
  faultRelayUrl: `http://127.0.0.1:${base + 88}`,
  /** Benchmarks: their own instant stand-in, relay and host page. */
  benchStandinPort: base + 91,
  benchRelayPort: base + 89,
  benchHostPort: base + 75,
  /** The second benchmark stack: speech streamed at real time. */
  benchPacedStandinPort: base + 92,
  benchPacedRelayPort: base + 93,
  benchPacedHostPort: base + 76,
  /** The third benchmark stack: the stand-in's `typical-cloud` latency profile. */
  benchCloudStandinPort: base + 98,
  benchCloudRelayPort: base + 99,
  benchCloudHostPort: base + 79,
  /** `pnpm start` and `scripts/start.ts` as the launcher tests run them. */
  launchRelayPort: base + 94,
  launchDemoPort: base + 77,
  launchStandinPort: base + 95,
  /** The two-instance journey: nginx (TLS, and its plain-HTTP redirect), two relays, its demo page. */
  proxyHttpsPort: base + 43,
  proxyHttpPort: base + 44,
  proxyRelayPorts: [base + 96, base + 97] as const,
  proxyDemoPort: base + 78,
  proxyDemoUrl: `http://127.0.0.1:${base + 78}`,
  /** The README's screenshots (`pnpm screenshots`): their own stand-in, relay and demo page. */
  shotsStandinPort: base + 60,
  shotsRelayPort: base + 61,
  shotsDemoPort: base + 62,
  shotsDemoUrl: `http://127.0.0.1:${base + 62}`,
  /** The site owner's systems the `owner` agent talks to: its order API (a server tool) and its webhook receiver. */
  ownerApiPort: base + 80,
  ownerHooksPort: base + 81,
  /** The `owner` agent's webhook signing secret (Standard Webhooks form; a test value, not a secret). */
  ownerWebhookSecret: `whsec_${Buffer.from("e2e-owner-webhook-secret-not-secret!").toString("base64")}`,
  /** `ADMIN_TOKEN` of the suite's relays (records admin API). */
  adminToken: "e2e-admin-token-not-a-secret-0123456789",
} as const;
