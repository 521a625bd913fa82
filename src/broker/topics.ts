import { DEVICE_KINDS, type DeviceKind } from '../../devices/model.js';

/** Topic contract (DESIGN.md): v1/{site}/{kind}/{deviceId}/{channel}. */

export const DEVICE_CHANNELS = ['event', 'status', 'cmd', 'reply'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

export interface DeviceTopic {
  site: string;
  kind: DeviceKind;
  deviceId: string;
  channel: DeviceChannel;
}

export const SITE_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function parseDeviceTopic(topic: string): DeviceTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'v1') return undefined;
  const [, site, kind, deviceId, channel] = parts as [string, string, string, string, string];
  if (!SITE_PATTERN.test(site) || !DEVICE_ID_PATTERN.test(deviceId)) return undefined;
  if (!(DEVICE_KINDS as readonly string[]).includes(kind)) return undefined;
  if (!(DEVICE_CHANNELS as readonly string[]).includes(channel)) return undefined;
  return { site, kind: kind as DeviceKind, deviceId, channel: channel as DeviceChannel };
}

export function deviceTopic(device: { site: string; kind: DeviceKind; id: string }, channel: DeviceChannel): string {
  return `v1/${device.site}/${device.kind}/${device.id}/${channel}`;
}
