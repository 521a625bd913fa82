import { measurementSpecs } from '../devices/index.js';

/** Prints the InfluxDB schema as the Markdown table the README carries (test/docs keeps them in step). */
export function schemaTable(): string {
  const gatewayOwn = [
    { name: 'ingest_rejects', description: 'a refused device message (also a dead letter)', tags: ['reason'], fields: { detail: 'string', size: 'integer', channel: 'string' } },
    { name: 'device_availability', description: 'an online/offline transition', tags: ['reason'], fields: { online: 'boolean' } },
  ];
  const rows = [...measurementSpecs(), ...gatewayOwn].map((spec) => {
    const tags = spec.tags.length ? spec.tags.map((t) => `\`${t}\``).join(', ') : '—';
    const fields = Object.entries(spec.fields)
      .map(([name, type]) => `\`${name}\` ${type}`)
      .join(', ');
    return `| \`${spec.name}\` | ${spec.description.replaceAll('|', '\\|')} | ${tags} | ${fields} |`;
  });
  return ['| measurement | what | tags (besides site, kind, model, device) | fields |', '|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(schemaTable());
