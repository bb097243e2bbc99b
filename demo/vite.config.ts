import { defineConfig } from "vite";

// The demo is a plain host page; the widget comes from the relay like on a customer's site.
export default defineConfig({
  server: { port: Number(process.env.DEMO_PORT ?? 5173), strictPort: true, host: "127.0.0.1" },
});
