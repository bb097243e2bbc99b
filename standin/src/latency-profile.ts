/**
 * How long the stand-in takes, stage by stage, like a provider would. Times are measured from the
 * request's arrival, so the stand-in's own work (eSpeak NG's synthesis) counts against them instead of
 * adding to them. Every delay is drawn with {@link LatencyProfile.jitter} from a PRNG seeded with
 * {@link LatencyProfile.seed}, so a run that sends the same requests in the same order waits the same.
 */
export interface LatencyProfile {
  /** Transcription: fixed part of the time to the transcript (streamed: to its first word), ms. */
  sttBaseMs: number;
  /** Transcription: added per second of uploaded audio, ms. */
  sttPerAudioSecondMs: number;
  /** Chat: arrival → first content (or tool call) delta of a stream, ms. The role chunk goes at once. */
  llmFirstTokenMs: number;
  /** Chat and streamed transcripts: pause between later word deltas, ms. */
  llmPerTokenMs: number;
  /** Speech: arrival → first audio byte, ms. */
  ttsFirstByteMs: number;
  /** Speech: streaming pace after the first byte, × real time (3 sends 1 s of audio per 333 ms); 0 = as fast as the client reads. */
  ttsPace: number;
  /** Each delay is scaled by a factor drawn uniformly from [1 − jitter, 1 + jitter]; 0 to 0.9. */
  jitter: number;
  /** Seed of the jitter's PRNG, an integer. */
  seed: number;
}

/**
 * Named profiles. `instant` is the default: it answers at once and streams words 15 ms apart and speech
 * as fast as it is read (the behaviour tests rely on). `typical-cloud` is a hosted STT → LLM → TTS
 * cascade on a good day: transcription 200 ms + 50 ms per second of audio, the LLM's first token after
 * 350 ms then one every 15 ms, speech's first byte after 200 ms then 3× real time, each ± 20 %.
 */
export const LATENCY_PRESETS = {
  instant: {
    sttBaseMs: 0,
    sttPerAudioSecondMs: 0,
    llmFirstTokenMs: 15,
    llmPerTokenMs: 15,
    ttsFirstByteMs: 0,
    ttsPace: 0,
    jitter: 0,
    seed: 1,
  },
  "typical-cloud": {
    sttBaseMs: 200,
    sttPerAudioSecondMs: 50,
    llmFirstTokenMs: 350,
    llmPerTokenMs: 15,
    ttsFirstByteMs: 200,
    ttsPace: 3,
    jitter: 0.2,
    seed: 1,
  },
} as const satisfies Record<string, LatencyProfile>;

/** Name of a {@link LATENCY_PRESETS} entry. */
export type LatencyPresetName = keyof typeof LATENCY_PRESETS;

const FIELDS = Object.keys(LATENCY_PRESETS.instant) as (keyof LatencyProfile)[];

/**
 * The profile a stand-in runs with: a preset by name, or values over `instant` (to start from another
 * preset, spread it: `{ ...LATENCY_PRESETS['typical-cloud'], jitter: 0 }`). Default `instant`.
 * @throws RangeError naming the field for an unknown preset or a value out of range.
 */
export function resolveLatency(input: LatencyPresetName | Partial<LatencyProfile> = "instant"): LatencyProfile {
  if (typeof input === "string") {
    if (!Object.hasOwn(LATENCY_PRESETS, input))
      throw new RangeError(`Unknown latency profile "${input}": use one of ${Object.keys(LATENCY_PRESETS).join(", ")}.`);
    return { ...LATENCY_PRESETS[input] };
  }
  const profile: LatencyProfile = { ...LATENCY_PRESETS.instant, ...input };
  for (const field of FIELDS) {
    const value = profile[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      throw new RangeError(`Latency \`${field}\` must be a finite number ≥ 0, got ${String(value)}.`);
  }
  if (profile.jitter > 0.9) throw new RangeError(`Latency \`jitter\` must be from 0 to 0.9, got ${profile.jitter}.`);
  if (!Number.isInteger(profile.seed)) throw new RangeError(`Latency \`seed\` must be an integer, got ${profile.seed}.`);
  return profile;
}

/**
 * The profile from the stand-in process's environment: `STANDIN_PROFILE` (a preset name, default
 * `instant`), then one variable per field over it, the field's name in upper snake case after
 * `STANDIN_`: `STANDIN_STT_BASE_MS`, `STANDIN_STT_PER_AUDIO_SECOND_MS`, `STANDIN_LLM_FIRST_TOKEN_MS`,
 * `STANDIN_LLM_PER_TOKEN_MS`, `STANDIN_TTS_FIRST_BYTE_MS`, `STANDIN_TTS_PACE`, `STANDIN_JITTER`,
 * `STANDIN_SEED`.
 * @throws RangeError naming the variable for a bad value.
 */
export function latencyFromEnv(env: Record<string, string | undefined>): LatencyProfile {
  const profile = resolveLatency((env["STANDIN_PROFILE"] || "instant") as LatencyPresetName);
  for (const field of FIELDS) {
    const name = `STANDIN_${field.replace(/[A-Z]/g, "_$&").toUpperCase()}`;
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new RangeError(`${name} must be a number, got "${raw}".`);
    profile[field] = value;
  }
  return resolveLatency(profile);
}
