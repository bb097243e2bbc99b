import { serve } from '@hono/node-server';
import { createStandin } from './standin.ts';

const port = Number(process.env['STANDIN_PORT'] ?? 8790);
const { app } = createStandin();

serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`standin (offline demo upstream) listening on http://127.0.0.1:${info.port}/v1`);
});
