/**
 * How far a reply's audio arrives behind real time, learnt across replies: the start delay (after the
 * first sample arrived) that would have played the reply without running dry. For a reply whose chunk k
 * arrives at t_k after R_k frames arrived before it, playback started at s runs dry before chunk k when
 * t_k − s > R_k, so the delay needed is max_k (t_k − t_0 − R_k). A provider that streams faster than real
 * time needs none; one that streams at real time needs its jitter; a slow one needs more.
 */
export class ArrivalLag {
  #first = -1; // clock at the reply's first sample, frames; −1 before it
  #received = 0;
  #lag = 0;
  #learnt: number | undefined;

  /**
   * The delay the replies so far needed, frames: the current reply's need once it exceeds the earlier
   * replies', which count at half weight per later reply. Undefined until a reply has ended.
   */
  get learnt(): number | undefined {
    return this.#learnt === undefined ? undefined : Math.max(this.#learnt, this.#lag);
  }

  /** Frames since the current reply's first sample arrived (0 before it). */
  sinceFirst(clock: number): number {
    return this.#first < 0 ? 0 : clock - this.#first;
  }

  /** `frames` of the current reply arrived at `clock` (frames of the output clock). */
  arrive(clock: number, frames: number): void {
    if (frames <= 0) return;
    if (this.#first < 0) this.#first = clock;
    else this.#lag = Math.max(this.#lag, clock - this.#first - this.#received);
    this.#received += frames;
  }

  /** A new reply begins: the last one's need joins what was learnt. */
  next(): void {
    if (this.#first >= 0) this.#learnt = Math.max(this.#lag, (this.#learnt ?? 0) / 2);
    this.#first = -1;
    this.#received = 0;
    this.#lag = 0;
  }
}
