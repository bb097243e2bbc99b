import { defineConfig } from "vite";

// The demo is a plain host page; the widget comes from the relay like on a customer's site.
// The records page (records.html) reaches the relay's admin API through this dev server at /admin,
// so the relay needs no CORS for it.
export default defineConfig({
  server: {
    port: Number(process.env.DEMO_PORT ?? 5173),
    strictPort: true,
    host: "127.0.0.1",
    proxy: { "/admin": process.env.VITE_RELAY_URL ?? "http://127.0.0.1:8787" },
  },
});
