import type { DeviceKind } from '../../devices/model.js';
import type { IngestedMessage } from '../ingest/ingest.js';

/**
 * What counts as a device's test during commissioning, per kind, and what the
 * installer is told to do to produce it.
 */
const TESTS: Readonly<Record<DeviceKind, { hint: string; matches(message: IngestedMessage): boolean }>> = {
  fire: {
    hint: 'press the detector\'s TEST button: it sends {"event":"test"}',
    matches: (message) => message.channel === 'event' && message.readings.some((r) => r.event === 'test'),
  },
  camera: {
    hint: 'make the camera send an event: walk through its motion zone or briefly cover the lens',
    matches: (message) => message.channel === 'event',
  },
  lock: {
    hint: 'swipe a card (or use the keypad) at the lock: any swipe, accepted or denied, is its test',
    matches: (message) => message.channel === 'event',
  },
  'ebike-station': {
    hint: 'hold an e-bike anti-theft tag near the reader until it reports the read',
    matches: (message) => message.channel === 'event',
  },
  team: {
    hint: 'switch the tracker on in the open until it sends its first position',
    matches: (message) => message.readings.some((r) => r.measurement === 'team_position' || r.event === 'position'),
  },
};

export function testHint(kind: DeviceKind): string {
  return TESTS[kind].hint;
}

export function isTestMessage(kind: DeviceKind, message: IngestedMessage): boolean {
  return TESTS[kind].matches(message);
}
