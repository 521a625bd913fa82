import { measurementSpecs } from '../devices/index.js';

/** Prints the InfluxDB schema as the Markdown table the README carries (test/docs keeps them in step). */
export function schemaTable(): string {
  const gatewayOwn = [
    { name: 'ingest_rejects', description: 'a refused device message (also a dead letter)', tags: ['reason'], fields: { detail: 'string', size: 'integer', channel: 'string' } },
    { name: 'device_availability', description: 'an online/offline transition', tags: ['reason'], fields: { online: 'boolean' } },
    {
      name: 'dispatch_order',
      description: 'an order sent to a patrol team (site, no model/device tags)',
      tags: ['team', 'zone', 'kind', 'rule', 'severity'],
      fields: { incident_id: 'string', eta_s: 'float', distance_m: 'float', target_at_risk: 'boolean', reason: 'string' },
    },
    {
      name: 'dispatch_response',
      description: 'a team arrived: the response against the 180 s target (site, no model/device tags)',
      tags: ['team', 'zone', 'kind', 'rule', 'severity', 'target_met'],
      fields: { response_s: 'float', eta_s: 'float', incident_id: 'string', to_accept_s: 'float' },
    },
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
