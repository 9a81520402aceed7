// ESLint (pinned in package.json) for the story map's own scripts, geo/render/*.js.
// Run by tests/render/test_js_lint.py: 0 warnings, 0 errors, no file over 500 lines.
// The scripts are ES modules that import what they use; geo/render/assets.py bundles them
// (esbuild, pinned in package.json) from the entry atlas.js into one script inlined into the page.
// Leaflet is the page's global L (inlined before the bundle from django-js-lib-leaflet).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "module",
      globals: { ...globals.browser, L: "readonly" },
    },
    rules: {
      "no-unused-vars": ["warn", { args: "none", caughtErrors: "none" }],
      "no-var": "off",
      eqeqeq: ["warn", "smart"],
      "no-shadow": "off",
      "max-lines": ["warn", { max: 500, skipBlankLines: false, skipComments: false }],
    },
  },
];
