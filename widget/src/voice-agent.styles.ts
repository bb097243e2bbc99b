import { css } from "lit";

/** Styles of `<voice-agent>`; theme through the `--va-*` custom properties and `::part`. */
export const styles = css`
  :host {
    --va-accent: #2563eb;
    --va-bg: #ffffff;
    --va-fg: #111827;
    --va-muted: #6b7280;
    --va-radius: 12px;
    display: block;
    max-width: 28rem;
    font: 15px/1.4 system-ui, sans-serif;
    color: var(--va-fg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --va-bg: #111827;
      --va-fg: #f9fafb;
      --va-muted: #9ca3af;
    }
  }
  .panel {
    background: var(--va-bg);
    border: 1px solid color-mix(in srgb, var(--va-fg) 15%, transparent);
    border-radius: var(--va-radius);
    padding: 1rem;
    display: grid;
    gap: 0.75rem;
  }
  header {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    justify-content: space-between;
  }
  .state {
    font-size: 0.85em;
    color: var(--va-muted);
  }
  .offline {
    font-size: 0.75em;
    padding: 0.1rem 0.4rem;
    border-radius: 999px;
    background: #fef3c7;
    color: #92400e;
  }
  button {
    font: inherit;
    border: 0;
    border-radius: 999px;
    padding: 0.5rem 1.1rem;
    background: var(--va-accent);
    color: white;
    cursor: pointer;
  }
  button:focus-visible {
    outline: 3px solid color-mix(in srgb, var(--va-accent) 50%, transparent);
    outline-offset: 2px;
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.4rem;
    max-height: 18rem;
    overflow-y: auto;
  }
  li[data-role="user"] {
    justify-self: end;
    background: color-mix(in srgb, var(--va-accent) 15%, transparent);
  }
  li {
    padding: 0.35rem 0.6rem;
    border-radius: 8px;
    background: color-mix(in srgb, var(--va-fg) 6%, transparent);
  }
  .error {
    color: #b91c1c;
  }
`;
