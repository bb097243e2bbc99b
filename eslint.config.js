// ESLint for the whole workspace: JavaScript's and typescript-eslint's recommended rules, tuned to how the
// code is written (see the comments). Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/", "**/dist/", "**/build/", "**/test-results/", "**/playwright-report/", "bench/results/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // Names starting with _ are deliberately unused (a parameter kept for its position).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      // `a && b()` and `c ? d() : e()` as statements are how the code writes a guarded call.
      "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true }],
      // An object of getters that reads its owner (e.g. the controller's engine host).
      "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["controller"] }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
);
