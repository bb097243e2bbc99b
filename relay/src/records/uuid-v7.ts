let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits. Ids made by one process are strictly
 * increasing (a 12-bit counter in `rand_a` orders ids of the same millisecond), so sorting by id sorts by
 * creation time, which keeps B-tree inserts append-only.
 *
 * @param now - epoch ms, default `Date.now()`
 */
export function uuidv7(now: number = Date.now()): string {
  let ms = Math.floor(now);
  if (ms > lastMs) {
    lastMs = ms;
    counter = Math.floor(Math.random() * 0x400);
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      lastMs = ++ms;
      counter = 0;
    }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The creation time (epoch ms) encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}
