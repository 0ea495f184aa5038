// The SPA sample's one-command setup (samples/spa/setup.mjs), against a real Tessera: run twice, it must register
// the same objects, not new ones.
import { readFile } from 'node:fs/promises';
import { registerSample } from '../../samples/spa/setup.mjs';
import { readConfig, runSteps } from './lib/run.mjs';

const config = readConfig();
const bootstrap = JSON.parse(await readFile(config.bootstrapPath, 'utf8'));

await runSteps({
  first: async () => registerSample(bootstrap, config.origin),
  second: async () => registerSample(bootstrap, config.origin),
});
