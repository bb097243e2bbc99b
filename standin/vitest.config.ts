import { defineConfig } from "vitest/config";

// Socket and process tests drive real servers (and eSpeak in the stand-in): on a loaded 2-core machine a
// healthy test can take several seconds, so the per-test limit is a hang guard, not a timing check.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000 } });
