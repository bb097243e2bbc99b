import { describe, expect, test } from "vitest";
import { minifyCssTemplates } from "./minify-css.ts";

describe("minifyCssTemplates", () => {
  test("collapses whitespace around blocks and declarations, keeps combinators and calc() spaces", () => {
    const source =
      "const s = css`\n  :host {\n    font: 15px/1.4 system-ui, sans-serif;\n  }\n  .sign i {\n    height: calc(15% + var(--l) * 45%);\n  }\n`;";
    expect(minifyCssTemplates(source)).toBe(
      "const s = css`:host{font: 15px/1.4 system-ui,sans-serif;}.sign i{height: calc(15% + var(--l) * 45%);}`;",
    );
  });
});
