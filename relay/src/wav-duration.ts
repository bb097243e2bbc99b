/** WAVE format tags whose duration follows from the header: integer PCM, IEEE float, and either inside WAVE_FORMAT_EXTENSIBLE. */
const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;
const BITS: Record<number, readonly number[]> = { [PCM]: [8, 16, 24, 32], [FLOAT]: [32, 64] };

/**
 * Duration in seconds of a RIFF/WAVE file of PCM or float samples, from its `fmt ` chunk and the bytes
 * actually present after the `data` chunk header (a header claiming a shorter `data` size than was
 * uploaded cannot hide audio). Compressed formats (whose bytes say nothing about their length without
 * decoding) and a second `fmt ` chunk (decoders differ on which one counts) are refused.
 *
 * @returns undefined when `bytes` is not such a WAV file
 */
export function wavDurationSeconds(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (bytes.length < 12 || ascii(0) !== "RIFF" || ascii(8) !== "WAVE") return undefined;
  let bytesPerSecond: number | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = ascii(at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      if (bytesPerSecond !== undefined || size < 16 || at + 24 > bytes.length) return undefined;
      let format = view.getUint16(at + 8, true);
      if (format === EXTENSIBLE) {
        // The sub-format GUID starts with the format tag it stands for.
        if (size < 40 || at + 34 > bytes.length) return undefined;
        format = view.getUint16(at + 32, true);
      }
      const channels = view.getUint16(at + 10, true);
      const sampleRate = view.getUint32(at + 12, true);
      const bits = view.getUint16(at + 22, true);
      // The byte rate is recomputed rather than read, so a forged header cannot inflate it.
      if (!BITS[format]?.includes(bits) || channels < 1 || channels > 8 || sampleRate < 1000 || sampleRate > 384_000) return undefined;
      bytesPerSecond = (sampleRate * channels * bits) / 8;
    } else if (id === "data") {
      return bytesPerSecond === undefined ? undefined : (bytes.length - at - 8) / bytesPerSecond;
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}
