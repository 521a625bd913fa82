/**
 * The Last Will contract (docs/mqtt.md): a device sets its will on its own
 * `status` topic with payload {"online":false}; a device may also publish it
 * itself before a planned power-down. Any other status payload is a heartbeat
 * for its model's codec.
 */
export function isOfflineNotice(payload: Buffer): boolean {
  if (payload.length > 256 || payload[0] !== 0x7b) return false;
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    return parsed !== null && typeof parsed === 'object' && parsed.online === false;
  } catch {
    return false;
  }
}
