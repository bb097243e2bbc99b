/**
 * Duration in seconds of a RIFF/WAVE file, from its `fmt ` chunk and the bytes actually present after
 * the `data` chunk header (a header claiming a shorter `data` size than was uploaded cannot hide audio).
 * Only what {@link wavDurationSeconds} needs of the header is checked.
 *
 * @returns undefined when `bytes` is not a WAV file with a plausible PCM or float format
 */
export function wavDurationSeconds(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (bytes.length < 12 || ascii(0) !== "RIFF" || ascii(8) !== "WAVE") return undefined;
  let bytesPerSecond: number | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt " && at + 24 <= bytes.length) {
      const channels = view.getUint16(at + 10, true);
      const sampleRate = view.getUint32(at + 12, true);
      const bits = view.getUint16(at + 22, true);
      // The byte rate is recomputed rather than read, so a forged header cannot inflate it.
      if (channels < 1 || channels > 8 || sampleRate < 1000 || sampleRate > 384_000 || ![8, 16, 24, 32, 64].includes(bits)) return undefined;
      bytesPerSecond = (sampleRate * channels * bits) / 8;
    } else if (id === "data") {
      return bytesPerSecond === undefined ? undefined : (bytes.length - at - 8) / bytesPerSecond;
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}
