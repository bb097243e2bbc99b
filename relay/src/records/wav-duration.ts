/**
 * Duration (ms) of a PCM WAV file from its `fmt ` byte rate and size; undefined when the file is not a
 * WAV the relay recognises. Reads only the 44-byte header.
 */
export async function wavDurationMs(file: Blob): Promise<number | undefined> {
  if (file.size < 44) return undefined;
  const view = new DataView(await file.slice(0, 44).arrayBuffer());
  const tag = (offset: number) => String.fromCharCode(...new Uint8Array(view.buffer, offset, 4));
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") return undefined;
  const byteRate = view.getUint32(28, true);
  if (byteRate === 0) return undefined;
  return Math.round(((file.size - 44) / byteRate) * 1000);
}
