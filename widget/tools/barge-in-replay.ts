/**
 * Replays per-frame speech probabilities through the barge-in detector as if a reply played the whole
 * time: the misfire cost of holds on audio with no visitor speech (noise, the agent's own voice).
 */
import { BargeInDetector, type BargeInOptions } from "@voice-agent/dsp";

/** What the detector did over a probability sequence with `playing` true throughout. */
export interface BargeInReplay {
  /** Holds started. */
  holds: number;
  /** Frames spent on hold (from each hold's frame to its release, or to the end / a confirmation). */
  heldFrames: number;
  /** Confirmed barge-ins (false ones, on audio without visitor speech). The detector re-arms after each. */
  confirms: number;
}

/**
 * Runs `probabilities` and `levels` (dBFS; one of each per frame) through a {@link BargeInDetector}
 * with a reply always playing.
 */
export function replayBargeIn(
  probabilities: ArrayLike<number>,
  levels: ArrayLike<number> | undefined,
  options: BargeInOptions = {},
): BargeInReplay {
  const detector = new BargeInDetector(options);
  const out: BargeInReplay = { holds: 0, heldFrames: 0, confirms: 0 };
  let heldAt = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const d = detector.process(probabilities[i]!, true, levels?.[i]);
    if (d.kind === "hold") {
      out.holds++;
      heldAt = i;
    } else if (d.kind === "release" || d.kind === "confirm") {
      if (heldAt >= 0) out.heldFrames += i - heldAt;
      heldAt = -1;
      if (d.kind === "confirm") {
        out.confirms++;
        detector.rearm(); // as if the next reply started at once
      }
    }
  }
  if (heldAt >= 0) out.heldFrames += probabilities.length - heldAt;
  return out;
}
