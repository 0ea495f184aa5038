#!/usr/bin/env node
// Runs the sample on http://127.0.0.1:5173 against a Tessera server. Either
//   node serve.mjs --bootstrap ../../.tessera/bootstrap.json      registers everything itself (see setup.mjs)
// or, for an app registered by hand,
//   node serve.mjs --authority https://id.example.com/{tenantId}/v2.0 --client-id {spaAppId} \
//                  --api-scope api://{apiAppId}/Hello.Read --api-audience {apiAppId}
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { registerSample } from './setup.mjs';
import { startSpaServer } from './server.mjs';

const { values: options } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    authority: { type: 'string' },
    'client-id': { type: 'string' },
    'api-scope': { type: 'string' },
    'api-audience': { type: 'string' },
    port: { type: 'string', default: '5173' },
  },
});

const port = Number(options.port);
let settings;
if (options.bootstrap) {
  const bootstrap = JSON.parse(await readFile(options.bootstrap, 'utf8'));
  settings = await registerSample(bootstrap, `http://127.0.0.1:${port}`);
} else if (options.authority && options['client-id'] && options['api-scope'] && options['api-audience']) {
  settings = {
    authority: options.authority,
    clientId: options['client-id'],
    apiScope: options['api-scope'],
    apiAudience: options['api-audience'],
  };
} else {
  console.error('Usage: node serve.mjs --bootstrap <bootstrap.json> | --authority <issuer> --client-id <id> --api-scope <scope> --api-audience <id> [--port 5173]');
  process.exit(2);
}

const { origin } = await startSpaServer({ ...settings, port });
console.log(`The SPA sample is on ${origin}/ (authority ${settings.authority}, client ${settings.clientId})`);
if (settings.user) {
  console.log(`Sign in as ${settings.user.userName} with the password ${settings.user.password}`);
}
