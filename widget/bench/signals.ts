/** Test signals and small formatting helpers of the audio benchmark. */
/** Pink noise (Paul Kellet's filter over seeded white noise), unit-ish level. */
export function pinkNoise(n: number, seed: number): Float32Array {
  let s = seed;
  const white = () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 2 - 1;
  let b0 = 0,
    b1 = 0,
    b2 = 0,
    b3 = 0,
    b4 = 0,
    b5 = 0,
    b6 = 0;
  return Float32Array.from({ length: n }, () => {
    const w = white();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    const v = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
    return v * 0.11;
  });
}

/** Keyboard-like clicks (5 ms decaying noise bursts, −10 dBFS peak, every 80–300 ms) over pink room noise at −60 dBFS. */
export function clicks(n: number, pink: Float32Array, pinkRms: number): Float32Array {
  const x = Float32Array.from({ length: n }, (_, i) => (pink[i % pink.length]! / pinkRms) * 10 ** (-60 / 20));
  let s = 7;
  const rnd = () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  for (let at = 0; at + 80 < n; at += 1280 + Math.floor(rnd() * 3520))
    for (let i = 0; i < 80; i++) x[at + i]! += (rnd() * 2 - 1) * 0.316 * Math.exp(-i / 20);
  return x;
}

/** "frame 0: 12, frame 1: 8": how often each frame index occurs. */
export function hist(xs: number[]): string {
  const counts = new Map<number, number>();
  for (const x of [...xs].sort((a, b) => a - b)) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].map(([k, n]) => `frame ${k}: ${n}`).join(", ");
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
