/**
 * Collapses the whitespace of the `css` tagged templates in `*.styles.ts` (Lit ships them as written):
 * runs of whitespace become one space, and none is kept around `{`, `}`, `;` and `,`. Selectors and values
 * keep their meaning (descendant combinators and `calc()` operators keep their single space).
 */
import type { Plugin } from "vite";

/** `source` with each css`…` template's whitespace collapsed. */
export function minifyCssTemplates(source: string): string {
  return source.replace(
    /css`([^`]*)`/g,
    (_, body: string) =>
      `css\`${body
        .replace(/\s+/g, " ")
        .replace(/ ?([{};,]) ?/g, "$1")
        .trim()}\``,
  );
}

/** The build step: applies {@link minifyCssTemplates} to the widget's style modules. */
export function minifyCss(): Plugin {
  return {
    name: "voice-agent-minify-css",
    transform(code, id) {
      return id.endsWith(".styles.ts") ? { code: minifyCssTemplates(code), map: null } : undefined;
    },
  };
}
