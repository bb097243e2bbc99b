import { Hono } from "hono";
import type { Fault } from "./fault-injector.ts";
import { isRecord } from "./json-body.ts";
import type { Speak } from "./realtime-call.ts";
import type { RecordedRealtimeCall } from "./recorded-request.ts";
import type { RouteContext } from "./route-context.ts";
import { StandinError } from "./standin-error.ts";
import { WebRtcCall } from "./webrtc-call.ts";

/** What the WebRTC routes need from the app. */
export interface WebRtcRouteOptions {
  context: RouteContext;
  /** The live calls by id, shared with the sideband socket. */
  calls: Map<string, WebRtcCall>;
  speak: Speak;
  /** Takes the next fault armed for a realtime response, if any. */
  fault: () => Fault | undefined;
}

/**
 * OpenAI's WebRTC calls. `POST /realtime/calls` takes an SDP offer, either `multipart/form-data` with `sdp`
 * and an optional `session` (JSON, a GA realtime session, applied before `session.created`; the server-key
 * form) or the bare offer as `application/sdp` (the ephemeral-key form: the session of the client secret
 * in the bearer, defaults for any other key; `?model=` names the model). It answers `201`,
 * `Content-Type: application/sdp`, `Location: /v1/realtime/calls/rtc_standin_<n>`, once werift has gathered
 * its candidates. `POST /realtime/calls/{call_id}/hangup` ends a call: `200`, the peer connection, its data
 * channel and sidebands closed, the call's record `endedBy: "hangup"`. Errors are OpenAI's JSON
 * (`invalid_offer`, `invalid_session`, `unsupported_content_type`, 404 `call_id_not_found`).
 */
export function webrtcRoute({ context, calls, speak, fault }: WebRtcRouteOptions): Hono {
  let counter = 0;
  return new Hono()
    .post("/realtime/calls", async (c) => {
      const { sdp, session } = await readOffer(c.req.raw, context.clientSecrets);
      const callId = `rtc_standin_${++counter}`;
      const model = typeof session?.["model"] === "string" ? session["model"] : (c.req.query("model") ?? "gpt-realtime");
      const record: RecordedRealtimeCall = {
        route: "realtime-call",
        transport: "webrtc",
        callId,
        time: context.now(),
        model,
        events: [],
        truncations: [],
        toolOutputs: [],
        session: undefined,
      };
      const call = new WebRtcCall({ callId, model, session, speak, record, fault, now: context.now, ended: () => calls.delete(callId) });
      calls.set(callId, call);
      let answer: string;
      try {
        answer = await call.answer(sdp);
      } catch (cause) {
        call.hangup("fault");
        throw new StandinError(400, "invalid_offer", `The SDP offer could not be answered: ${(cause as Error).message}`, {
          param: "sdp",
          cause,
        });
      }
      context.record(record); // an offer refused above is logged as a rejection only
      return c.body(answer, 201, { "content-type": "application/sdp", location: `/v1/realtime/calls/${callId}` });
    })
    .post("/realtime/calls/:call_id/hangup", (c) => {
      const callId = c.req.param("call_id");
      const call = calls.get(callId);
      if (!call) throw new StandinError(404, "call_id_not_found", `No realtime call ${JSON.stringify(callId)} is in progress.`);
      call.hangup("hangup");
      return c.body(null, 200);
    });
}

/** The offer and the session of a create-call request. @throws StandinError 400 for a bad body. */
async function readOffer(
  request: Request,
  secrets: Map<string, Record<string, unknown>>,
): Promise<{ sdp: string; session: Record<string, unknown> | undefined }> {
  const type = request.headers.get("content-type") ?? "";
  let sdp: string;
  let session: Record<string, unknown> | undefined;
  if (type.startsWith("multipart/form-data")) {
    const form = await request.formData().catch(() => undefined);
    if (!form) throw StandinError.badRequest("invalid_multipart", "Expected a multipart/form-data body.", "body");
    sdp = await partText(form.get("sdp"));
    const part = form.get("session");
    if (part !== null) {
      const text = await partText(part);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!isRecord(parsed) || parsed["type"] !== "realtime")
        throw StandinError.badRequest("invalid_session", 'Expected `session` to be a JSON object with `type: "realtime"`.', "session");
      session = parsed;
    }
  } else if (type.startsWith("application/sdp")) {
    sdp = await request.text();
    session = secrets.get((request.headers.get("authorization") ?? "").replace(/^Bearer\s+/, ""));
  } else {
    throw StandinError.badRequest(
      "unsupported_content_type",
      "Send the offer as multipart/form-data (`sdp`, optional `session`) or as application/sdp.",
      "content-type",
    );
  }
  if (!/^v=0\r?$/m.test(sdp) || !/^m=audio /m.test(sdp))
    throw StandinError.badRequest("invalid_offer", "`sdp` must be an SDP offer with an audio m-section.", "sdp");
  return { sdp, session };
}

/** A form part's text: a field or a file (curl's `-F "sdp=<offer.sdp;type=application/sdp"` sends a file). */
async function partText(part: string | Blob | null): Promise<string> {
  if (part === null) return "";
  return typeof part === "string" ? part : await part.text();
}
