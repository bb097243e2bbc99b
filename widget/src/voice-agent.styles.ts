import { css } from "lit";

/** Styles of `<voice-agent>`; theme through the `--va-*` custom properties and `::part`. */
export const styles = css`
  :host {
    --va-accent: #1d4ed8;
    --va-bg: #ffffff;
    --va-fg: #111827;
    --va-muted: #4b5563;
    --va-radius: 12px;
    --va-font: 15px/1.4 system-ui, sans-serif;
    display: block;
    max-width: 28rem;
    font: var(--va-font);
    color: var(--va-fg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --va-accent: #3b82f6;
      --va-bg: #111827;
      --va-fg: #f9fafb;
      --va-muted: #d1d5db;
    }
  }
  [hidden] {
    display: none !important;
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
  .state[data-kind="listening"]::before,
  .state[data-kind="responding"]::before {
    content: "";
    display: inline-block;
    width: 0.5em;
    height: 0.5em;
    margin-inline-end: 0.35em;
    border-radius: 50%;
    background: var(--va-accent);
    animation: pulse 1.2s ease-in-out infinite;
  }
  @keyframes pulse {
    50% {
      opacity: 0.3;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .state::before {
      animation: none !important;
    }
    * {
      transition: none !important;
    }
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
    padding: 0.45rem 1rem;
    background: var(--va-accent);
    color: #ffffff;
    cursor: pointer;
  }
  button.secondary {
    background: transparent;
    color: var(--va-fg);
    border: 1px solid color-mix(in srgb, var(--va-fg) 30%, transparent);
  }
  button[aria-pressed="true"] {
    background: #b91c1c;
  }
  button:focus-visible,
  input:focus-visible {
    outline: 3px solid color-mix(in srgb, var(--va-accent) 60%, transparent);
    outline-offset: 2px;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  form {
    display: flex;
    gap: 0.5rem;
  }
  input {
    flex: 1;
    min-width: 0;
    font: inherit;
    color: var(--va-fg);
    background: var(--va-bg);
    border: 1px solid color-mix(in srgb, var(--va-fg) 35%, transparent);
    border-radius: 999px;
    padding: 0.4rem 0.8rem;
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
  li,
  .pending {
    margin: 0;
    padding: 0.35rem 0.6rem;
    border-radius: 8px;
    background: color-mix(in srgb, var(--va-fg) 6%, transparent);
  }
  [data-role="user"] {
    justify-self: end;
    background: color-mix(in srgb, var(--va-accent) 15%, transparent);
  }
  .pending {
    opacity: 0.75;
  }
  li small {
    color: var(--va-muted);
  }
  .error {
    margin: 0;
    color: #b91c1c;
  }
  .notice {
    margin: 0;
    font-size: 0.85em;
    color: var(--va-muted);
  }
  @media (prefers-color-scheme: dark) {
    .error {
      color: #fca5a5;
    }
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
