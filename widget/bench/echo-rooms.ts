/**
 * Simulated rooms for the echo benchmark: the path from what the widget plays to what its microphone
 * hears. A room is a delay, sox's `reverb` (and `highpass` for a small speaker) as an impulse response
 * made at bench time, an optional soft clipper in front (a small speaker driven hard) and room noise.
 * The echo is rendered frame by frame (uniformly partitioned overlap-save convolution), so that a reply
 * put on hold stops echoing, after its tail, as in a real room.
 */
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeWav, encodeWav } from "@voice-agent/dsp";

/** One simulated room. */
export interface Room {
  /** Short label for rows and notes. */
  name: string;
  /** Echo path delay (speaker → microphone, plus the output and input buffering the playback clock misses), ms. */
  delayMs: number;
  /** sox effects that shape the impulse response after the delay, e.g. `["reverb", "50"]`; empty for a dry path. */
  sox: string[];
  /** Soft clipping of the speaker: y = tanh(drive·x) / drive; 0 for none. */
  clipDrive: number;
  /** Pink room noise, dBFS (RMS). */
  noiseDb: number;
}

/** The rooms of the echo rows: delays 10–250 ms, dry to reverberant, a small clipping speaker, a noisy room. */
export const ROOMS: readonly Room[] = [
  { name: "dry 10 ms", delayMs: 10, sox: [], clipDrive: 0, noiseDb: -60 },
  { name: "small room 40 ms", delayMs: 40, sox: ["reverb", "30", "50", "30"], clipDrive: 0, noiseDb: -60 },
  { name: "living room 120 ms", delayMs: 120, sox: ["reverb", "60", "50", "70"], clipDrive: 0, noiseDb: -60 },
  { name: "hall 250 ms", delayMs: 250, sox: ["reverb", "60", "30", "100"], clipDrive: 0, noiseDb: -60 },
  {
    name: "laptop speaker 60 ms (clipping, 300 Hz high-pass)",
    delayMs: 60,
    sox: ["highpass", "300", "reverb", "40", "50", "40"],
    clipDrive: 3,
    noiseDb: -60,
  },
  { name: "noisy room 180 ms (pink −45 dBFS)", delayMs: 180, sox: ["reverb", "50", "50", "60"], clipDrive: 0, noiseDb: -45 },
];

const RATE = 16_000;
const IR_MS = 1000;

/** The room's impulse response at 16 kHz: the delay, then sox's effects on a unit impulse, 700 ms after the delay. */
export async function roomImpulse(room: Room, tmp: string): Promise<Float32Array> {
  const delay = Math.round((room.delayMs * RATE) / 1000);
  let shaped = Float32Array.of(1);
  if (room.sox.length) {
    const input = join(tmp, "impulse.wav");
    const output = join(tmp, "impulse-room.wav");
    const impulse = new Float32Array((IR_MS * RATE) / 1000);
    impulse[0] = 0.5;
    await writeFile(input, encodeWav(impulse, RATE));
    const run = spawnSync("sox", [input, "-b", "32", "-e", "float", output, ...room.sox]);
    if (run.status !== 0) throw new Error(`sox ${room.sox.join(" ")}: ${run.stderr}`);
    shaped = decodeWav(await readFile(output)).samples.map((v) => v * 2);
  }
  const ir = new Float32Array(delay + shaped.length);
  ir.set(shaped, delay);
  return ir;
}

/** In-place radix-2 complex FFT (`inverse` without the 1/n scale). */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len *= 2) {
    const a = ((inverse ? 2 : -2) * Math.PI) / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < len / 2; k++) {
        const c = Math.cos(a * k);
        const s = Math.sin(a * k);
        const p = start + k;
        const q = p + len / 2;
        const tr = re[q]! * c - im[q]! * s;
        const ti = re[q]! * s + im[q]! * c;
        re[q] = re[p]! - tr;
        im[q] = im[p]! - ti;
        re[p] = re[p]! + tr;
        im[p] = im[p]! + ti;
      }
    }
  }
}

/** Streams played frames of 512 samples through a room's speaker and impulse response. */
export class RoomEcho {
  #parts: { re: Float64Array; im: Float64Array }[];
  #history: { re: Float64Array; im: Float64Array }[];
  #at = 0;
  #prev = new Float64Array(512);
  #gain: number;
  #drive: number;

  /** `gain` scales the echo (linear); `clipDrive` as in {@link Room}. */
  constructor(ir: Float32Array, gain: number, clipDrive: number) {
    this.#gain = gain;
    this.#drive = clipDrive;
    const count = Math.ceil(ir.length / 512);
    this.#parts = Array.from({ length: count }, (_, p) => {
      const re = new Float64Array(1024);
      const im = new Float64Array(1024);
      for (let i = 0; i < 512 && p * 512 + i < ir.length; i++) re[i] = ir[p * 512 + i]!;
      fft(re, im, false);
      return { re, im };
    });
    this.#history = Array.from({ length: count }, () => ({ re: new Float64Array(1024), im: new Float64Array(1024) }));
  }

  /** The echo of the frames played so far during the frame just played (`played`, 512 samples), into `out`. */
  frame(played: Float32Array, out: Float32Array): void {
    const count = this.#parts.length;
    this.#at = (this.#at + count - 1) % count;
    const x = this.#history[this.#at]!;
    const d = this.#drive;
    for (let i = 0; i < 512; i++) {
      const v = d > 0 ? Math.tanh(d * played[i]!) / d : played[i]!;
      x.re[i] = this.#prev[i]!;
      x.re[512 + i] = v;
      this.#prev[i] = v;
    }
    x.im.fill(0);
    fft(x.re, x.im, false);
    const yr = new Float64Array(1024);
    const yi = new Float64Array(1024);
    for (let p = 0; p < count; p++) {
      const h = this.#parts[p]!;
      const s = this.#history[(this.#at + p) % count]!;
      for (let k = 0; k < 1024; k++) {
        yr[k]! += s.re[k]! * h.re[k]! - s.im[k]! * h.im[k]!;
        yi[k]! += s.re[k]! * h.im[k]! + s.im[k]! * h.re[k]!;
      }
    }
    fft(yr, yi, true);
    for (let i = 0; i < 512; i++) out[i] = (yr[512 + i]! / 1024) * this.#gain;
  }
}
