import { serve } from '@hono/node-server';
import { createStandin } from './standin.ts';

// STANDIN_TOKEN_DELAY_MS (default 15), STANDIN_SPEECH_CHUNK_DELAY_MS (default 0) and STANDIN_CACHE_SPEECH=1
// set the options of the same names, e.g. an instantly answering stand-in for latency benchmarks.
const port = Number(process.env['STANDIN_PORT'] ?? 8790);
const delay = process.env['STANDIN_TOKEN_DELAY_MS'];
const speechDelay = process.env['STANDIN_SPEECH_CHUNK_DELAY_MS'];
const { app } = createStandin({
  ...(delay ? { tokenDelayMs: Number(delay) } : {}),
  ...(speechDelay ? { speechChunkDelayMs: Number(speechDelay) } : {}),
  cacheSpeech: process.env['STANDIN_CACHE_SPEECH'] === '1',
});

serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`standin (offline demo upstream) listening on http://127.0.0.1:${info.port}/v1`);
});
