/** Conversions between 16-bit PCM and float samples. */

/** Converts 16-bit samples to floats in −1…1, into `out` (allocated when omitted). */
export function int16ToFloat32(input: Int16Array, out = new Float32Array(input.length)): Float32Array {
  for (let i = 0; i < input.length; i++) out[i] = input[i]! / 32768;
  return out;
}

/** Converts floats (−1…1, clipped) to 16-bit samples. */
export function float32ToInt16(input: Float32Array): Int16Array {
  const out = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = Math.round(Math.max(-1, Math.min(1, input[i]!)) * 32767);
  return out;
}
