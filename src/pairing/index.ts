import type { DeviceModel } from '../../devices/model.js';
import type { DeviceRegistry } from '../registry/device-registry.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { ClaimService } from './claim.js';
import { ClaimCodes } from './claim-codes.js';
import { Commissioning } from './commissioning.js';

export { PAIRING_MIGRATION } from './schema.js';
export { ClaimCodes, MAX_BATCH, type ClaimBatch, type ClaimCode } from './claim-codes.js';
export { ClaimService, type ClaimRequest, type Claimed } from './claim.js';
export { Commissioning, COMMISSIONING_STATES, type CommissioningState, type CommissioningView } from './commissioning.js';
export { recordRefusal, onRefusal, KNOWN_REFUSALS } from './refusals.js';
export { wirePairing, type PairingBus } from './wire.js';
export type { MqttHints } from './device-config.js';

export interface PairingOptions {
  /** gateway.db, migrated with PAIRING_MIGRATION. */
  db: SqliteDatabase;
  registry: Pick<DeviceRegistry, 'get' | 'register'>;
  findModel(id: string): DeviceModel | undefined;
  scryptCost: number;
  silentAfterMinutes?: number;
  autoCommission?: boolean;
  now?: () => number;
}

export interface Pairing {
  codes: ClaimCodes;
  claims: ClaimService;
  commissioning: Commissioning;
}

/** The three pieces of installer pairing over one database. */
export function createPairing(options: PairingOptions): Pairing {
  const codes = new ClaimCodes(options.db);
  const commissioning = new Commissioning({
    db: options.db,
    ...(options.silentAfterMinutes !== undefined ? { silentAfterMinutes: options.silentAfterMinutes } : {}),
    ...(options.autoCommission !== undefined ? { autoCommission: options.autoCommission } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const claims = new ClaimService({
    db: options.db,
    codes,
    registry: options.registry,
    commissioning,
    findModel: options.findModel,
    scryptCost: options.scryptCost,
    ...(options.now ? { now: options.now } : {}),
  });
  return { codes, claims, commissioning };
}
