/**
 * The development secrets of `pnpm start`: the relay's token secret and the admin token, made once and
 * kept in an ignored file at the repository root, so that visitors' tokens and the printed records URL
 * survive a restart. Delete the file for new ones. Production never uses it (see the relay README).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Default location of the file: `.voice-agent.local.json` at the repository root (in `.gitignore`). */
export const DEV_SECRETS_FILE = fileURLToPath(new URL("../.voice-agent.local.json", import.meta.url));

/** The relay secrets `pnpm start` passes on. */
export interface DevSecrets {
  /** `RELAY_TOKEN_SECRET`: 64 hex characters. */
  tokenSecret: string;
  /** `ADMIN_TOKEN`: 48 hex characters. */
  adminToken: string;
}

/**
 * Resolves the development secrets: `RELAY_TOKEN_SECRET` and `ADMIN_TOKEN` from `env` when set (they
 * always win), otherwise the ones kept in `file`, which is created (mode 0600) or completed when one is
 * missing. The file is not touched when `env` has both.
 *
 * @throws Error naming the file when it exists but is not the JSON this function writes
 */
export function resolveDevSecrets(env: Record<string, string | undefined>, file: string = DEV_SECRETS_FILE): DevSecrets {
  const fromEnv = { tokenSecret: env.RELAY_TOKEN_SECRET || undefined, adminToken: env.ADMIN_TOKEN || undefined };
  if (fromEnv.tokenSecret && fromEnv.adminToken) return { tokenSecret: fromEnv.tokenSecret, adminToken: fromEnv.adminToken };
  const kept = readKept(file);
  const stored: DevSecrets = {
    tokenSecret: kept.tokenSecret ?? randomBytes(32).toString("hex"),
    adminToken: kept.adminToken ?? randomBytes(24).toString("hex"),
  };
  if (kept.tokenSecret === undefined || kept.adminToken === undefined) {
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    // The mode above applies only when the file is created.
    chmodSync(file, 0o600);
  }
  return { tokenSecret: fromEnv.tokenSecret ?? stored.tokenSecret, adminToken: fromEnv.adminToken ?? stored.adminToken };
}

function readKept(file: string): Partial<DevSecrets> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  const invalid = new Error(`${file} is not a development secrets file: delete it and pnpm start makes a new one`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid;
  }
  if (typeof json !== "object" || json === null) throw invalid;
  const kept = json as Partial<Record<keyof DevSecrets, unknown>>;
  // Lengths as the relay requires them (RELAY_TOKEN_SECRET ≥ 32, ADMIN_TOKEN ≥ 24 characters).
  const valid = (value: unknown, min: number) => value === undefined || (typeof value === "string" && value.length >= min);
  if (!valid(kept.tokenSecret, 32) || !valid(kept.adminToken, 24)) throw invalid;
  return kept as Partial<DevSecrets>;
}
