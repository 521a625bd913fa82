import type { DeviceModel } from '../../devices/model.js';
import { DeviceExistsError, type Device, type DeviceRegistry } from '../registry/device-registry.js';
import { hashSecret, issueSecret } from '../registry/secrets.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import type { ClaimCode, ClaimCodes } from './claim-codes.js';
import { isParseFailure, parseCode, type ParsedCode } from './code-format.js';
import type { Commissioning, CommissioningView } from './commissioning.js';
import { PairingErrors } from './errors.js';

export interface ClaimRequest {
  code: string;
  deviceId?: string | undefined;
  /** `vendor/model`; must be a model of the code's kind. */
  model: string;
  lon: number;
  lat: number;
  name?: string | undefined;
  /** The site the installer believes to be on; must be the code's. */
  site?: string | undefined;
}

export interface Claimant {
  name: string;
  /** The site of the installer's session, when it carries one. */
  site?: string | undefined;
}

export interface Claimed {
  device: Device;
  secret: string;
  code: ClaimCode;
  commissioning: CommissioningView;
}

export interface ClaimServiceOptions {
  db: SqliteDatabase;
  codes: ClaimCodes;
  registry: Pick<DeviceRegistry, 'get' | 'register'>;
  commissioning: Commissioning;
  findModel(id: string): DeviceModel | undefined;
  scryptCost: number;
  now?: () => number;
}

/** Looks a typed or scanned code up: 400 when malformed or mistyped, 404 when unknown. */
export function lookUpCode(codes: ClaimCodes, input: string): { parsed: ParsedCode; code: ClaimCode } {
  const parsed = parseCode(input);
  if (isParseFailure(parsed)) throw PairingErrors.codeInvalid(parsed.message, parsed.error);
  const code = codes.find(parsed.compact);
  if (!code) throw PairingErrors.unknown(parsed.code);
  return { parsed, code };
}

/** The device id a claim without one gets: `fd-7k3q9m2x`, unique as its code. */
export function defaultDeviceId(parsed: ParsedCode): string {
  return `${parsed.prefix}-${parsed.body}`.toLowerCase();
}

/**
 * A claim: checks the code, registers the device through the registry with
 * its place, consumes the code and starts commissioning, all or nothing.
 */
export class ClaimService {
  private readonly now: () => number;

  constructor(private readonly options: ClaimServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async claim(request: ClaimRequest, claimant: Claimant): Promise<Claimed> {
    const { codes, registry, commissioning } = this.options;
    const { parsed, code } = lookUpCode(codes, request.code);
    if (request.site !== undefined && request.site !== code.site) throw PairingErrors.wrongSite(code.code, code.site, request.site, 'request');
    if (claimant.site !== undefined && claimant.site !== code.site) throw PairingErrors.wrongSite(code.code, code.site, claimant.site, 'session');
    if (code.usedAt !== null) throw PairingErrors.used(code.code, code);
    const model = this.options.findModel(request.model);
    if (!model) throw PairingErrors.unknownModel(request.model);
    if (model.kind !== code.kind) throw PairingErrors.modelKindMismatch(request.model, model.kind, code.code, code.kind);
    const deviceId = request.deviceId ?? defaultDeviceId(parsed);
    if (registry.get(deviceId)) throw PairingErrors.deviceExists(deviceId);

    const secret = issueSecret();
    const secretHash = await hashSecret(secret, this.options.scryptCost);
    const at = this.now();
    const record = commissioning.newRecord({ id: deviceId, site: code.site, kind: code.kind, model: request.model }, { code: code.code, by: claimant.name, at });
    let device: Device;
    try {
      // The registry goes last: it changes its memory only once its own insert succeeded, so a failure
      // anywhere leaves neither a registered device with an unused code nor a used code without a device.
      device = this.options.db.transaction(() => {
        if (!codes.markUsed(parsed.compact, { deviceId, by: claimant.name, at })) {
          throw PairingErrors.used(code.code, codes.find(parsed.compact) ?? code);
        }
        commissioning.insert(record);
        return registry.register(
          { id: deviceId, site: code.site, kind: code.kind, model: request.model, name: request.name, lat: request.lat, lon: request.lon },
          secretHash,
          at,
        );
      })();
    } catch (err) {
      if (err instanceof DeviceExistsError) throw PairingErrors.deviceExists(deviceId);
      throw err;
    }
    commissioning.activate(record);
    return { device, secret, code: codes.find(parsed.compact) ?? code, commissioning: commissioning.view(deviceId)! };
  }
}
