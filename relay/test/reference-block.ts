import { REFERENCE_END, REFERENCE_START } from "../src/knowledge/reference-message.ts";

/** One passage as a reference message gives it to the model. */
export interface ReferencePassage {
  source: string;
  section: string;
  text: string;
}

/**
 * Reads a knowledge reference message back: the frame before its block, whatever follows the block, and
 * the passages parsed from the block's JSON. Throws when the message has not exactly one block.
 */
export function readReference(message: string): { frame: string; after: string; passages: ReferencePassage[] } {
  const lines = message.split("\n");
  const start = lines.indexOf(REFERENCE_START);
  const end = lines.indexOf(REFERENCE_END);
  if (start < 1 || end < start || lines.lastIndexOf(REFERENCE_START) !== start || lines.lastIndexOf(REFERENCE_END) !== end)
    throw new Error(`not one reference block: ${JSON.stringify(message.slice(0, 200))}`);
  return {
    frame: lines.slice(0, start).join("\n"),
    after: lines.slice(end + 1).join("\n"),
    passages: JSON.parse(lines.slice(start + 1, end).join("\n")) as ReferencePassage[],
  };
}
