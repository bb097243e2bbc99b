/** Position after the last session of a page: sessions are ordered by `(createdAt, id)` descending. */
export interface SessionCursor {
  createdAt: number;
  id: string;
}

/** Opaque base64url form of a {@link SessionCursor}. */
export function encodeCursor(cursor: SessionCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");
}

/** Parses {@link encodeCursor}'s output; undefined when it is not one. */
export function decodeCursor(text: string): SessionCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (Array.isArray(value) && Number.isSafeInteger(value[0]) && typeof value[1] === "string" && value[1].length <= 64) {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through: not a cursor
  }
  return undefined;
}
