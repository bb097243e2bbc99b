/** Severity of a {@link LogEntry}. */
export type LogLevel = "info" | "warn" | "error";

/**
 * One structured log line. Never carries Authorization headers, tokens, provider keys, request bodies or
 * audio: only what an operator needs to follow traffic.
 */
export interface LogEntry {
  level: LogLevel;
  msg: string;
  [field: string]: string | number | boolean | undefined;
}

/** Sink for {@link LogEntry} values, injected into the app (JSON lines on stdout in `main.ts`). */
export type RelayLog = (entry: LogEntry) => void;
