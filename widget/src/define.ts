/** Registers `<voice-agent>`. The only module with that side effect; the script-tag build's entry. */
import { VoiceAgent } from "./voice-agent.ts";

if (!customElements.get("voice-agent")) customElements.define("voice-agent", VoiceAgent);

export { VoiceAgent };

declare global {
  interface HTMLElementTagNameMap {
    "voice-agent": VoiceAgent;
  }
}
