import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '../../lib/http/openapi';

/*
 * `npm run openapi` writes infra/openapi.json from the handlers' zod schemas (lib/http/openapi.ts);
 * `npm run openapi -- --stdout` prints it, `-- --server https://abc.execute-api.eu-west-1.amazonaws.com` sets
 * the server URL (the HttpApiUrl stack output).
 */
const args = process.argv.slice(2);
const server = args.includes('--server') ? args[args.indexOf('--server') + 1] : undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };
const text = `${JSON.stringify(openApiDocument({ ...(server ? { serverUrl: server } : {}), version }), null, 2)}\n`;
if (args.includes('--stdout')) {
  process.stdout.write(text);
} else {
  const out = join(__dirname, '..', 'openapi.json');
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
