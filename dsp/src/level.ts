/**
 * Level of `samples`, dB relative to full scale (a full-scale square wave is 0), at least −120. With
 * `blocks` > 1 the samples are split into that many equal blocks and the quietest block's level is
 * returned: the level the whole span sustains, which a click shorter than a block does not raise.
 */
export function levelDb(samples: Float32Array, blocks = 1): number {
  const size = Math.floor(samples.length / blocks);
  let quietest = Infinity;
  for (let b = 0; b < blocks; b++) {
    let sum = 0;
    for (let i = b * size; i < (b + 1) * size; i++) sum += samples[i]! * samples[i]!;
    quietest = Math.min(quietest, sum / Math.max(1, size));
  }
  return Math.max(-120, 10 * Math.log10(quietest + 1e-12));
}
