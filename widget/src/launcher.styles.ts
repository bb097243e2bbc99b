import { css } from "lit";

/**
 * The launcher and its state sign: three bars that follow the microphone's level (`--va-level`, 0–1) while
 * listening (with a ring), blinking dots while thinking, moving bars while speaking, an exclamation mark on
 * error. With `prefers-reduced-motion` nothing moves: each state keeps a static shape of its own.
 */
export const launcherStyles = css`
  .launcher {
    position: fixed;
    inset: auto 1.25rem 1.25rem auto;
    z-index: 2147483000;
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding-inline-start: 0.5rem;
    box-shadow: 0 4px 14px rgb(0 0 0 / 0.25);
  }
  .launcher + .panel {
    position: fixed;
    inset: auto 1.25rem 4.75rem auto;
    width: min(24rem, calc(100vw - 2.5rem));
    box-shadow: 0 10px 30px rgb(0 0 0 / 0.2);
    z-index: 2147483000;
  }
  .sign {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 2px;
    width: 1.6em;
    height: 1.6em;
    border-radius: 50%;
    background: rgb(255 255 255 / 0.2);
  }
  i {
    width: 3px;
    height: 30%;
    border-radius: 2px;
    background: currentColor;
  }
  i:nth-child(2) {
    scale: 1 1.6;
    animation-delay: 0.25s;
  }
  [data-sign="listening"] {
    outline: 2px solid;
  }
  [data-sign="listening"] i {
    height: calc(15% + var(--va-level, 0) * 45%);
  }
  [data-sign="thinking"] i {
    height: 3px;
    animation: blink 0.9s infinite;
  }
  [data-sign="speaking"] i {
    animation: wave 0.5s infinite alternate;
  }
  @keyframes blink {
    50% {
      opacity: 0.2;
    }
  }
  @keyframes wave {
    to {
      height: 50%;
    }
  }
  [data-sign="error"] {
    background: #b91c1c;
  }
  [data-sign="error"] i {
    display: none;
  }
  [data-sign="error"]::after {
    content: "!";
    font-weight: 700;
  }
  @media (prefers-reduced-motion: reduce) {
    i {
      animation: none !important;
    }
    [data-sign="listening"] i {
      height: 40%;
    }
  }
`;
