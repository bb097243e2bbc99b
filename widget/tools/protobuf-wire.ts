/**
 * Protocol Buffers at the wire level: a message's fields in order, each kept as its exact bytes, so a
 * tool can take a message apart and put it together again without a schema and without losing a field
 * it does not know (https://protobuf.dev/programming-guides/encoding/).
 */

/** One field of a message as it is on the wire. */
export interface WireField {
  /** Field number of the schema (e.g. 7 for `ModelProto.graph`). */
  number: number;
  /** 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
  wireType: number;
  /** The whole field, tag included: write it back as it is to keep it unchanged. */
  bytes: Uint8Array;
  /** The value's bytes: the payload of a length-delimited field, the varint or fixed bytes otherwise. */
  value: Uint8Array;
}

/** Splits a message into its fields, in their order on the wire. Throws on a truncated or grouped message. */
export function readFields(message: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let at = 0;
  while (at < message.length) {
    const start = at;
    const [tag, afterTag] = readVarint(message, at);
    const wireType = tag % 8;
    let valueStart = afterTag;
    let end: number;
    if (wireType === 0) end = readVarint(message, afterTag)[1];
    else if (wireType === 1) end = afterTag + 8;
    else if (wireType === 5) end = afterTag + 4;
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(message, afterTag);
      valueStart = afterLength;
      end = afterLength + length;
    } else throw new Error(`protobuf: unsupported wire type ${wireType} at byte ${start}`);
    if (end > message.length) throw new Error(`protobuf: field ${Math.floor(tag / 8)} at byte ${start} runs past the end`);
    fields.push({ number: Math.floor(tag / 8), wireType, bytes: message.subarray(start, end), value: message.subarray(valueStart, end) });
    at = end;
  }
  return fields;
}

/** Reads the varint at `at`: its value and the offset after it. Field numbers and lengths fit in 2^53. */
export function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let scale = 1; at < bytes.length; scale *= 128) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
  }
  throw new Error("protobuf: truncated varint");
}

/** Encodes field `number` with a length-delimited `payload` (a string, bytes or an embedded message). */
export function lengthDelimited(number: number, payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return concatBytes([varint(number * 8 + 2), varint(bytes.length), bytes]);
}

/** The UTF-8 text of a length-delimited field. */
export function text(field: WireField): string {
  return new TextDecoder().decode(field.value);
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) bytes.push((value % 128) | 0x80);
  bytes.push(value);
  return Uint8Array.from(bytes);
}
