import { deviceTopic } from '../broker/topics.js';
import type { Device } from '../registry/device-registry.js';
import { qrSvg } from './qr.js';

/** Where devices reach the broker, as told to the installer. */
export interface MqttHints {
  host: string;
  port: number;
  tlsPort?: number | undefined;
  /** MQTT over WebSocket on the HTTP port. */
  websocketPath?: string | undefined;
}

/** The JSON a device that reads a configuration QR expects. Keys are a contract with device firmware. */
export interface DeviceConfig {
  host: string;
  port: number;
  clientId: string;
  username: string;
  password: string;
  /** `v1/{site}/{kind}/{deviceId}`: the device publishes to `<topicPrefix>/event` and `/status`. */
  topicPrefix: string;
}

export interface DeviceCredentials {
  deviceId: string;
  /** Shown once: only its scrypt hash is stored. */
  secret: string;
  mqtt: {
    host: string;
    port: number;
    tlsPort?: number;
    websocketPath?: string;
    clientId: string;
    username: string;
    topicPrefix: string;
    publish: string[];
    subscribe: string[];
    lastWill: { topic: string; payload: string; qos: 1; retain: false };
  };
  config: DeviceConfig;
  /** The config as a QR code (inline SVG). */
  configQrSvg: string;
}

export async function deviceCredentials(device: Device, secret: string, hints: MqttHints): Promise<DeviceCredentials> {
  const topicPrefix = `v1/${device.site}/${device.kind}/${device.id}`;
  const config: DeviceConfig = { host: hints.host, port: hints.port, clientId: device.id, username: device.id, password: secret, topicPrefix };
  return {
    deviceId: device.id,
    secret,
    mqtt: {
      host: hints.host,
      port: hints.port,
      ...(hints.tlsPort !== undefined ? { tlsPort: hints.tlsPort } : {}),
      ...(hints.websocketPath !== undefined ? { websocketPath: hints.websocketPath } : {}),
      clientId: device.id,
      username: device.id,
      topicPrefix,
      publish: [deviceTopic(device, 'event'), deviceTopic(device, 'status')],
      subscribe: [deviceTopic(device, 'cmd'), deviceTopic(device, 'reply')],
      lastWill: { topic: deviceTopic(device, 'status'), payload: '{"online":false}', qos: 1, retain: false },
    },
    config,
    configQrSvg: await qrSvg(JSON.stringify(config), { label: `MQTT configuration of ${device.id}` }),
  };
}
