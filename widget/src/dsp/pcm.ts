/** Conversions between 16-bit PCM and float samples. */

/** Converts 16-bit samples to floats in −1…1, into `out` (allocated when omitted). */
export function int16ToFloat32(input: Int16Array, out = new Float32Array(input.length)): Float32Array {
  for (let i = 0; i < input.length; i++) out[i] = input[i]! / 32768;
  return out;
}
