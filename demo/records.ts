/**
 * The demo's records page: lists recent sessions and shows one transcript with timings, through the
 * relay's admin API (proxied by Vite at /admin, see vite.config.ts). The admin token comes from the URL
 * fragment that `pnpm start` prints (never sent to a server by the browser) or the form, and is kept in
 * sessionStorage. A development tool: a production site never ships an admin token to a page.
 */
import type { EventRecord, SessionAnalysis, SessionDetail, SessionRecord } from "../relay/src/records/session-record.ts";
import type { SessionListItem, SessionPage } from "../relay/src/records/session-store.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) {
  sessionStorage.setItem("va-admin-token", fromHash);
  history.replaceState(null, "", location.pathname);
}
let token = sessionStorage.getItem("va-admin-token") ?? "";
let cursor: string | null = null;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", className = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

function status(text: string, isError = false): void {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "meta";
}

async function api<T>(path: string, method = "GET"): Promise<T> {
  const res = await fetch(path, { method, headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) $("token-form").hidden = false;
  if (!res.ok)
    throw new Error(((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

async function loadSessions(append: boolean): Promise<void> {
  const query = new URLSearchParams({ limit: "25" });
  const agent = $<HTMLInputElement>("agent").value.trim();
  const filterStatus = $<HTMLSelectElement>("filter-status").value;
  if (agent) query.set("agent", agent);
  if (filterStatus) query.set("status", filterStatus);
  if (append && cursor) query.set("cursor", cursor);
  try {
    const page = await api<SessionPage>(`/admin/sessions?${query}`);
    if (!append) $("sessions").replaceChildren();
    for (const s of page.sessions) $("sessions").append(row(s));
    cursor = page.nextCursor;
    $("more").hidden = !cursor;
    status(page.sessions.length || append ? "" : "No sessions yet: talk to the agent on the demo page.");
  } catch (err) {
    status(`Could not list sessions: ${(err as Error).message}`, true);
  }
}

/** A session's outcome in words: its status, and why it ended when it did. */
const outcome = (s: SessionRecord) => (s.endReason ? `${s.status} (${s.endReason})` : s.status);

function row(s: SessionListItem): HTMLTableRowElement {
  const tr = el("tr");
  const preview =
    s.firstVisitorText === null ? "—" : s.firstVisitorText.length > 80 ? `${s.firstVisitorText.slice(0, 79)}…` : s.firstVisitorText;
  tr.append(
    el("td", new Date(s.createdAt).toLocaleString()),
    el("td", s.agent),
    el("td", outcome(s)),
    el("td", seconds(s.durationMs)),
    el("td", preview),
  );
  tr.addEventListener("click", () => {
    for (const other of $("sessions").children) other.removeAttribute("aria-selected");
    tr.setAttribute("aria-selected", "true");
    void showSession(s.id);
  });
  return tr;
}

async function showSession(id: string): Promise<void> {
  const detail = await api<SessionDetail>(`/admin/sessions/${id}`).catch((err: Error) => (status(err.message, true), undefined));
  if (!detail) return;
  const { session, messages, events, analysis } = detail;
  const t0 = session.createdAt;
  const box = $("detail");
  box.replaceChildren(
    el("h2", `Session ${session.id.slice(0, 8)}… · ${session.status}`),
    el(
      "p",
      `${session.agent} · ${session.origin} · started ${new Date(t0).toLocaleString()} · ${seconds(session.durationMs)}${session.endReason ? ` · ended: ${session.endReason}` : ""}`,
      "meta",
    ),
  );
  for (const m of messages) {
    const div = el("div", "", `msg ${m.role}`);
    const timing = [`+${seconds((m.startAt ?? t0) - t0)}`, ...Object.entries(m.latency).map(([k, v]) => `${k} ${v} ms`)];
    if (m.audioDurationMs) timing.push(`audio ${seconds(m.audioDurationMs)}`);
    if (m.completionTokens) timing.push(`${m.completionTokens} tokens`);
    const call = m.toolCallId ? ` · answers ${m.toolCallId}` : "";
    div.append(el("div", `${m.role}${call} · ${timing.join(" · ")}`, "meta"), el("div", m.text));
    for (const c of m.toolCalls ?? []) div.append(el("div", `calls ${c.name}(${c.arguments}) · ${c.id}`, "meta"));
    if (m.interrupted) div.append(el("div", `interrupted; heard: “${m.heardText ?? "?"}”`, "meta heard"));
    box.append(div);
  }
  if (messages.length === 0) box.append(el("p", "No messages.", "meta"));
  if (session.context) box.append(el("h3", "Page context"), el("pre", JSON.stringify(session.context, null, 2), "meta"));
  box.append(el("h3", "Analysis"), ...describeAnalysis(analysis));
  box.append(el("h3", "Events"));
  const list = el("ul", "", "meta");
  for (const e of [...events].sort((a, b) => a.at - b.at)) list.append(el("li", `+${seconds(e.at - t0)} ${describeEvent(e)}`));
  box.append(list);
  const exportLink = el("button", "Export JSON");
  exportLink.addEventListener("click", () => {
    const blob = new Blob([JSON.stringify(detail, null, 2)], { type: "application/json" });
    const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: `session-${session.id}.json` });
    a.click();
    URL.revokeObjectURL(a.href);
  });
  const remove = el("button", "Delete");
  remove.addEventListener("click", async () => {
    if (!confirm("Delete this session and its transcript?")) return;
    await api(`/admin/sessions/${session.id}`, "DELETE");
    box.replaceChildren(el("p", "Deleted.", "meta"));
    await loadSessions(false);
  });
  box.append(exportLink, " ", remove);
}

$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  void loadSessions(false);
});
$("more").addEventListener("click", () => void loadSessions(true));
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  token = $<HTMLInputElement>("token").value.trim();
  sessionStorage.setItem("va-admin-token", token);
  $("token-form").hidden = true;
  void loadSessions(false);
});
if (!token) $("token-form").hidden = false;
void loadSessions(false);

/** The post-session analysis: where it stands, its cost, and the result as the analyst gave it. */
function describeAnalysis(analysis: SessionAnalysis | null): HTMLElement[] {
  if (!analysis) return [el("p", "Not analysed (the agent has no analysis, or the session has not been claimed yet).", "meta")];
  const facts = [`${analysis.status} after ${analysis.attempts} attempt${analysis.attempts === 1 ? "" : "s"}`];
  if (analysis.model) facts.push(analysis.model);
  if (analysis.usage) facts.push(`${analysis.usage.promptTokens} + ${analysis.usage.completionTokens} tokens`);
  if (analysis.error) facts.push(analysis.error);
  const nodes = [el("p", facts.join(" · "), "meta")];
  if (analysis.result) nodes.push(el("pre", JSON.stringify(analysis.result, null, 2), "analysis"));
  return nodes;
}

/** One event in words, e.g. "widget: interrupted, heard “It ships”" or "relay: speech, first byte 180 ms". */
function describeEvent(e: EventRecord): string {
  const p = e.payload as Record<string, unknown>;
  const ms = (key: string) => (typeof p[key] === "number" ? `${p[key]} ms` : "—");
  const what = (() => {
    switch (e.type) {
      case "start":
        return `started${p.sampleRate ? `, microphone at ${p.sampleRate} Hz` : ""}${p.language ? `, ${p.language}` : ""}`;
      case "greeting":
        return "spoke the greeting";
      case "state":
        return `now ${p.state}`;
      case "interruption":
        return `interrupted after ${ms("playedMs")}, heard “${p.heardText}”`;
      case "turn-latency": {
        const latency = (p.latency ?? {}) as Record<string, number>;
        return `turn took ${latency.turnMs ?? "—"} ms (transcript ${latency.sttMs ?? "—"} ms, first token ${latency.llmFirstTokenMs ?? "—"} ms, first audio ${latency.ttsFirstByteMs ?? "—"} ms)`;
      }
      case "speech":
        return `speech ${p.aborted ? "cut" : "sent"}: ${p.bytes} bytes, first byte ${ms("ttsFirstByteMs")}`;
      case "error":
        return `error ${p.code}${p.stage ? ` in ${p.stage}` : ""}${p.message ? `: ${p.message}` : ""}`;
      case "end":
        return `ended (${p.reason})`;
      default:
        return `${e.type} ${JSON.stringify(p)}`;
    }
  })();
  const skew = typeof p.skewMs === "number" && Math.abs(p.skewMs) > 1000 ? ` (widget clock off by ${(p.skewMs / 1000).toFixed(1)} s)` : "";
  return `${e.source}: ${what}${skew}`;
}
