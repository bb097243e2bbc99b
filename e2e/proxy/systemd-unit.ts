/**
 * The shipped systemd unit (`deploy/systemd/voice-agent-relay@.service`) as the journeys use it: its
 * `ExecStart`, `Environment` and `EnvironmentFile` become the command and environment of a relay process,
 * with the install paths mapped onto this checkout.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
/** The unit file and the example environment file it names. */
export const UNIT_FILE = `${root}deploy/systemd/voice-agent-relay@.service`;
export const ENV_EXAMPLE_FILE = `${root}deploy/relay.env.example`;

/** What the unit starts, for one instance. */
export interface UnitCommand {
  /** `ExecStart`, split on spaces (the unit uses no quoting), `%i` replaced. */
  command: string[];
  /** `Environment=` values then the `EnvironmentFile`'s, which win as in systemd (read after). */
  env: Record<string, string>;
  /** The `EnvironmentFile` path as written in the unit. */
  environmentFile: string;
  workingDirectory: string;
}

/** Reads the unit's `[Service]` keys for instance `instance` (the port), with `envFileText` as its EnvironmentFile. */
export function unitCommand(unitText: string, instance: string, envFileText: string): UnitCommand {
  const service = serviceSection(unitText).map(([key, value]) => [key, value.replaceAll("%i", instance)] as const);
  const one = (key: string) => {
    const values = service.filter(([k]) => k === key).map(([, v]) => v);
    if (values.length !== 1) throw new Error(`voice-agent-relay@.service: expected one ${key}=, found ${values.length}`);
    return values[0]!;
  };
  const env: Record<string, string> = {};
  for (const [key, value] of service) {
    if (key !== "Environment") continue;
    const [name, ...rest] = value.split("=");
    env[name!] = rest.join("=");
  }
  Object.assign(env, parseEnvironmentFile(envFileText));
  return {
    command: one("ExecStart").split(/\s+/),
    env,
    environmentFile: one("EnvironmentFile"),
    workingDirectory: one("WorkingDirectory"),
  };
}

/** systemd's `EnvironmentFile` format as the example uses it: `KEY=value` lines, `#` comments, blank lines. */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`relay.env.example: not KEY=value: ${line}`);
    env[match[1]!] = match[2]!;
  }
  return env;
}

/**
 * The unit's command on this checkout: `/opt/voice-agent` is the repo root (also the working directory,
 * as in the unit), `/usr/bin/node` this Node, run with `--no-experimental-strip-types` so that the
 * production build is shown to need no TypeScript at run time.
 */
export function onThisCheckout(unit: UnitCommand): string[] {
  const local = (path: string) => path.replace(/^\/opt\/voice-agent\/?/, root);
  const [node, ...args] = unit.command;
  if (node !== "/usr/bin/node") throw new Error(`voice-agent-relay@.service: ExecStart runs ${node}, the journeys expect /usr/bin/node`);
  if (unit.workingDirectory !== "/opt/voice-agent") {
    throw new Error(`voice-agent-relay@.service: WorkingDirectory ${unit.workingDirectory} is not the checkout /opt/voice-agent`);
  }
  return [process.execPath, "--no-experimental-strip-types", ...args.map(local)];
}

/** The unit and example environment file texts. */
export async function readDeployFiles(): Promise<{ unit: string; envExample: string }> {
  return { unit: await readFile(UNIT_FILE, "utf8"), envExample: await readFile(ENV_EXAMPLE_FILE, "utf8") };
}

function serviceSection(text: string): [string, string][] {
  const entries: [string, string][] = [];
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) section = line;
    else if (section === "[Service]") {
      const at = line.indexOf("=");
      entries.push([line.slice(0, at), line.slice(at + 1)]);
    }
  }
  return entries;
}
