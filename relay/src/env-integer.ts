/**
 * Reads the integer environment variable `name`: `fallback` when unset or empty; otherwise the value,
 * with a problem appended to `problems` when it is not an integer from `min` to `max` (inclusive), so a
 * config resolver can report every bad variable at once.
 */
export function envInteger(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    problems.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
  return value;
}
