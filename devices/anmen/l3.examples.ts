import type { Example } from '../model.js';

/**
 * Card hashes below are HMAC-SHA-256 under the examples' site secret
 * `example-site-secret` (the example runner's `protectCard`). ID numbers here
 * are made up; 330106 is a Hangzhou district prefix.
 */
const TS = 1764380000000;

export const l3Examples: readonly Example[] = [
  {
    description: 'resident ID card opens the door',
    channel: 'event',
    payload: { id: 'l3-0042-17', room: '3-201', card: '330106199001011234', result: 'granted', method: 'idcard' },
    expect: {
      data: [
        {
          measurement: 'lock_swipe',
          event: 'swipe',
          tags: { result: 'granted', method: 'idcard', card_type: 'id_number' },
          fields: {
            room: '3-201',
            card_hash: 'dd9f5fe7c2f7e9122d1b299c96ddfb0f564d59e21e040207df78eb3195995370',
            card_masked: '330***********1234',
            msg_id: 'l3-0042-17',
          },
        },
      ],
    },
  },
  {
    description: 'unregistered IC card denied; the UID is written with dashes and lower case',
    channel: 'event',
    payload: { event: 'swipe', ts: TS, room: '3-201', cardUid: '04-a1-b2-c3', result: 'denied', method: 'ic', reason: 'not_registered' },
    expect: {
      data: [
        {
          measurement: 'lock_swipe',
          event: 'swipe',
          ts: TS,
          tags: { result: 'denied', method: 'ic', card_type: 'uid' },
          fields: {
            room: '3-201',
            card_hash: '4b1d8f8da48a645d8f9e612b65b63745405fdab829ce073777e6e0bbd417bfa9',
            card_masked: '******C3',
            reason: 'not_registered',
          },
        },
      ],
    },
  },
  {
    description: 'blacklisted ID number typed with spaces and a lower-case check letter: same hash as the printed form',
    channel: 'event',
    payload: { room: '5-102', card: '330106 19900101 123x', result: 'denied', method: 'idcard', reason: 'blacklisted' },
    expect: {
      data: [
        {
          measurement: 'lock_swipe',
          event: 'swipe',
          tags: { result: 'denied', method: 'idcard', card_type: 'id_number' },
          fields: {
            room: '5-102',
            card_hash: '79a6cd01a3d720ece770c04cb1ef9109bb4bbf000afbdf120b87c525147c9b4c',
            card_masked: '330***********123X',
            reason: 'blacklisted',
          },
        },
      ],
    },
  },
  {
    description: 'PIN opening: no card involved',
    channel: 'event',
    payload: { room: '3-201', result: 'granted', method: 'pin' },
    expect: {
      data: [{ measurement: 'lock_swipe', event: 'swipe', tags: { result: 'granted', method: 'pin' }, fields: { room: '3-201' } }],
    },
  },
  {
    description: 'battery and signal heartbeat',
    channel: 'status',
    payload: { battery: 87, rssi: -71 },
    expect: {
      data: [{ measurement: 'device_status', event: 'heartbeat', tags: {}, fields: { online: true, battery_pct: 87, rssi_dbm: -71 } }],
    },
  },
  {
    description: 'card of 19 digits: rejected without echoing it',
    channel: 'event',
    payload: { room: '3-201', card: '3301061990010112345', result: 'granted', method: 'idcard' },
    expectErrors: {
      reason: 'schema',
      errors: [{ path: 'card', message: 'expected 18-character ID number or 8–20 hex UID (value withheld: personal data)' }],
    },
  },
  {
    description: 'card as a JSON number (wrong type): rejected without echoing it',
    channel: 'event',
    text: '{"room":"3-201","card":330106199001011234,"result":"granted","method":"idcard"}',
    expectErrors: {
      reason: 'schema',
      errors: [{ path: 'card', message: 'expected 18-character ID number or 8–20 hex UID (value withheld: personal data)' }],
    },
  },
  {
    description: 'an ID number in the room field is withheld too',
    channel: 'event',
    payload: { room: '330106199001011234', result: 'granted', method: 'pin' },
    expectErrors: {
      reason: 'schema',
      errors: [{ path: 'room', message: 'expected a room number, not an ID number (value withheld: personal data)' }],
    },
  },
  {
    description: 'result out of its set',
    channel: 'event',
    payload: { room: '3-201', card: '330106199001011234', result: 'maybe', method: 'idcard' },
    expectErrors: { reason: 'schema', errors: [{ path: 'result', message: 'expected one of granted, denied, got "maybe"' }] },
  },
  {
    description: 'ID-card opening without the card',
    channel: 'event',
    payload: { room: '3-201', result: 'granted', method: 'idcard' },
    expectErrors: {
      reason: 'schema',
      errors: [{ path: 'card', message: 'required for method "idcard", expected 18-character ID number or 8–20 hex UID (or cardUid)' }],
    },
  },
  {
    description: 'both card and cardUid',
    channel: 'event',
    payload: { room: '3-201', card: '330106199001011234', cardUid: '04A1B2C3', result: 'granted', method: 'idcard' },
    expectErrors: { reason: 'schema', errors: [{ path: 'cardUid', message: 'give card or cardUid, not both' }] },
  },
  {
    description: 'missing room',
    channel: 'event',
    payload: { cardUid: '04A1B2C3', result: 'granted', method: 'ic' },
    expectErrors: { reason: 'schema', errors: [{ path: 'room', message: 'required, expected text of 1–16 characters' }] },
  },
  {
    description: 'broken JSON around a card number: the parser message does not quote it',
    channel: 'event',
    text: '{"room":"3-201","card":"330106199001011234" "result":"granted"}',
    expectErrors: {
      reason: 'malformed',
      errors: [{ path: '', message: "payload is not valid JSON (63 bytes): Expected ',' or '}' after property value in JSON at position 44" }],
    },
  },
  {
    description: 'single-quoted card number (not JSON): V8 would quote the payload, the error does not',
    channel: 'event',
    text: "{\"card\":'330106199001011234'}",
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: "payload is not valid JSON (29 bytes): Unexpected token '''" }] },
  },
  {
    description: 'battery reported as a word',
    channel: 'status',
    payload: { battery: 'low' },
    expectErrors: { reason: 'schema', errors: [{ path: 'battery', message: 'expected integer 0–100, got "low"' }] },
  },
];
