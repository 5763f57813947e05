// ESLint for src/losslab/report/lab.js: a classic browser script (an IIFE), plotly.js global.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, Plotly: "readonly" },
    },
    rules: {
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-script-url": "error",
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: "Texts go in with textContent." },
        { property: "outerHTML", message: "Texts go in with textContent." },
        { property: "insertAdjacentHTML", message: "Texts go in with textContent." }],
      "no-restricted-globals": ["error", "fetch", "XMLHttpRequest", "WebSocket", "EventSource"],
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      eqeqeq: "error",
      strict: ["error", "function"],
    },
  },
];
