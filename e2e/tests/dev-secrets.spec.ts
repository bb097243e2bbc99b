/** `resolveDevSecrets`, the secrets file of `pnpm start` (the launcher itself: pnpm-start.spec.ts). */
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { resolveDevSecrets } from "../../scripts/dev-secrets.ts";

const secretsFile = async () => join(await mkdtemp(join(tmpdir(), "voice-agent-secrets-")), "local.json");

test("makes both secrets once, in a file only its owner can read, and reuses them", async () => {
  const file = await secretsFile();
  const first = resolveDevSecrets({}, file);
  expect(first.tokenSecret).toMatch(/^[0-9a-f]{64}$/);
  expect(first.adminToken).toMatch(/^[0-9a-f]{48}$/);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const written = await readFile(file, "utf8");
  expect(resolveDevSecrets({}, file)).toEqual(first);
  expect(await readFile(file, "utf8")).toBe(written);
});

test("explicit environment variables win, and the file is not touched when both are set", async () => {
  const file = await secretsFile();
  const env = { RELAY_TOKEN_SECRET: "e".repeat(32), ADMIN_TOKEN: "a".repeat(24) };
  expect(resolveDevSecrets(env, file)).toEqual({ tokenSecret: env.RELAY_TOKEN_SECRET, adminToken: env.ADMIN_TOKEN });
  await expect(stat(file)).rejects.toThrow(/ENOENT/);
  const kept = resolveDevSecrets({}, file);
  expect(resolveDevSecrets({ ADMIN_TOKEN: env.ADMIN_TOKEN }, file)).toEqual({ tokenSecret: kept.tokenSecret, adminToken: env.ADMIN_TOKEN });
});

test("a file it did not write is an error naming the file, never replaced", async () => {
  const file = await secretsFile();
  await writeFile(file, '{ "tokenSecret": "short" }');
  expect(() => resolveDevSecrets({}, file)).toThrow(`${file} is not a development secrets file: delete it`);
  expect(await readFile(file, "utf8")).toBe('{ "tokenSecret": "short" }');
});

test("a file with a missing secret is completed and made private", async () => {
  const file = await secretsFile();
  const adminToken = "b".repeat(48);
  await writeFile(file, JSON.stringify({ adminToken }), { mode: 0o644 });
  const secrets = resolveDevSecrets({}, file);
  expect(secrets.adminToken).toBe(adminToken);
  expect(JSON.parse(await readFile(file, "utf8"))).toEqual(secrets);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
});
