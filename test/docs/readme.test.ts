import t from 'tap';
import { readFileSync } from 'node:fs';
import { schemaTable } from '../../scripts/schema-table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('the README carries the InfluxDB schema as the device models define it', async (t) => {
  t.ok(readme.includes(schemaTable()), 'README table equals `node --import tsx scripts/schema-table.ts`');
});

t.test('the README gives the two commands and .ci/run runs the test one', async (t) => {
  t.match(readme, /```sh\nnpm run village\n```/);
  t.match(readme, /```sh\nnpm test\n```/);
  t.match(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8'), /^npm test$/m);
});
