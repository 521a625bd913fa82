import type { ProtectedCard } from '../../devices/model.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { RegisterAudit, type AuditAction, type AuditDetail, type AuditFilter, type RegisterAuditEntry } from './audit.js';
import { BlacklistTable, type BlacklistEntry } from './blacklist.js';
import { formatCsv } from './csv.js';
import {
  cardHashOf,
  cardMaskedOf,
  checkCard,
  epochMsOf,
  optionalTextOf,
  roomOf,
  siteOf,
  tagOf,
  textOf,
  timeCellOf,
} from './entry-fields.js';
import { RegisterInputError } from './errors.js';
import { CSV_FORMATS, exportRow, readImportTable, type CsvRow, type ImportReport } from './register-csv.js';
import { RoomCardTable, type RoomCard, type RoomCardSearch } from './room-cards.js';
import type { RegisterName } from './schema.js';
import { StolenTagTable, type StolenTag, type StolenTagSearch } from './stolen-tags.js';

export { REGISTERS_MIGRATION, REGISTER_NAMES } from './schema.js';
export type { BlacklistEntry, ImportReport, RegisterAuditEntry, RegisterName, RoomCard, RoomCardSearch, StolenTag, StolenTagSearch };

/** `createCardProtector(siteSecret)` from devices/card.ts, one per site key. */
export type CardProtector = (card: string) => ProtectedCard;

export interface RoomCardInput {
  site: string;
  room: string;
  /** ID number or card UID in clear: protected at once, never stored. */
  card: string;
  tenantName?: string | null | undefined;
  validUntil?: number | null | undefined;
}

export interface BlacklistInput {
  site: string;
  card: string;
  reason: string;
}

export interface StolenTagInput {
  tag: string;
  ownerName: string;
  ownerContact: string;
  reportedAt?: number | undefined;
  note?: string | null | undefined;
}

export type RoomCardView = Pick<RoomCard, 'cardHash' | 'cardMasked' | 'tenantName' | 'validUntil' | 'addedAt'>;

/** What can change on a registered card without the card itself: absent fields stay as they are. */
export interface RoomCardChange {
  tenantName?: string | null | undefined;
  validUntil?: number | null | undefined;
}

export interface Written<T> {
  entry: T;
  /** False when an existing entry was updated. */
  created: boolean;
}

export interface RegistersOptions {
  /** Epoch ms; injected so tests control time. */
  now?: () => number;
}

type Via = 'api' | 'csv';

const TENANT_MAX = 80;
const REASON_MAX = 200;
const OWNER_MAX = 80;
const CONTACT_MAX = 80;
const NOTE_MAX = 500;

/**
 * The registers the rule engine consults on every swipe and tag read: rooms'
 * cards, the card blacklist and stolen e-bike tags. Writes go to SQLite with
 * an audit row in the same transaction; the look-ups the hot path makes are
 * answered from memory, loaded here (as the device registry does) so that no
 * caller can consult an index that was never filled.
 */
export class Registers {
  private readonly roomCardTable: RoomCardTable;
  private readonly blacklistTable: BlacklistTable;
  private readonly stolenTagTable: StolenTagTable;
  private readonly auditLog: RegisterAudit;
  private readonly now: () => number;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly protectCardFor: (site: string) => CardProtector,
    options: RegistersOptions = {},
  ) {
    this.roomCardTable = new RoomCardTable(db);
    this.blacklistTable = new BlacklistTable(db);
    this.stolenTagTable = new StolenTagTable(db);
    this.auditLog = new RegisterAudit(db);
    this.now = options.now ?? Date.now;
    this.reload();
  }

  /** Rebuilds the in-memory indexes from SQLite. */
  reload(): void {
    this.roomCardTable.load();
    this.blacklistTable.load();
    this.stolenTagTable.load();
  }

  // --- rooms' cards -------------------------------------------------------

  registerCard(input: RoomCardInput, actor: string): Written<RoomCard> {
    return this.putRoomCard(this.roomCardOf(input), actor, 'api');
  }

  unregisterCard(site: string, room: string, cardHash: string, actor: string): boolean {
    return this.write(() => {
      const existing = this.roomCardTable.get(site, room, cardHash);
      if (!existing || !this.roomCardTable.remove(site, room, cardHash)) return false;
      this.record(actor, 'room-cards', 'remove', site, cardHash, { room, cardMasked: existing.cardMasked });
      return true;
    });
  }

  /**
   * Changes the tenant or validity of a card already registered to a room,
   * by its hash: the card need not be scanned again. Undefined when the card
   * is not registered there.
   */
  updateRoomCard(site: string, room: string, cardHash: string, change: RoomCardChange, actor: string): RoomCard | undefined {
    const tenantName = change.tenantName === undefined ? undefined : optionalTextOf('tenantName', change.tenantName, TENANT_MAX);
    const validUntil = change.validUntil === undefined || change.validUntil === null ? change.validUntil : epochMsOf('validUntil', change.validUntil);
    return this.write(() => {
      const existing = this.roomCardTable.get(site, room, cardHash);
      if (!existing) return undefined;
      const entry: RoomCard = {
        ...existing,
        ...(tenantName !== undefined ? { tenantName } : {}),
        ...(validUntil !== undefined ? { validUntil } : {}),
      };
      this.roomCardTable.put(entry);
      this.record(actor, 'room-cards', 'update', site, cardHash, { room, cardMasked: entry.cardMasked, validUntil: entry.validUntil, via: 'api' });
      return entry;
    });
  }

  /** Every room's cards (masked and hashed), by site and room; `search` matches room, tenant or masked card. */
  roomCardList(query: RoomCardSearch = {}): { total: number; cards: RoomCard[] } {
    return this.roomCardTable.search(query);
  }

  roomCards(site: string, room: string): RoomCardView[] {
    return this.roomCardTable
      .list({ site, room })
      .map(({ cardHash, cardMasked, tenantName, validUntil, addedAt }) => ({ cardHash, cardMasked, tenantName, validUntil, addedAt }));
  }

  /** Hot path (every swipe): memory only. `now` within `validUntil` (inclusive). */
  isCardRegisteredToRoom(site: string, room: string, cardHash: string, now: number): boolean {
    return this.roomCardTable.isRegistered(site, room, cardHash, now);
  }

  // --- card blacklist -----------------------------------------------------

  blacklistCard(input: BlacklistInput, actor: string): Written<BlacklistEntry> {
    const site = siteOf(input.site);
    checkCard(input.card);
    const { hash, masked } = this.protectCardFor(site)(input.card);
    return this.putBlacklisted({ site, cardHash: hash, cardMasked: masked, reason: textOf('reason', input.reason, REASON_MAX) }, actor, 'api');
  }

  unblacklist(site: string, cardHash: string, actor: string): boolean {
    return this.write(() => {
      const existing = this.blacklistTable.get(site, cardHash);
      if (!existing || !this.blacklistTable.remove(site, cardHash)) return false;
      this.record(actor, 'blacklist', 'remove', site, cardHash, { cardMasked: existing.cardMasked });
      return true;
    });
  }

  /** A new reason for a card already on the blacklist, by its hash. Undefined when it is not listed. */
  updateBlacklistReason(site: string, cardHash: string, reason: string, actor: string): BlacklistEntry | undefined {
    const checked = textOf('reason', reason, REASON_MAX);
    return this.write(() => {
      const existing = this.blacklistTable.get(site, cardHash);
      if (!existing) return undefined;
      const entry: BlacklistEntry = { ...existing, reason: checked };
      this.blacklistTable.put(entry);
      this.record(actor, 'blacklist', 'update', site, cardHash, { cardMasked: entry.cardMasked, reason: checked, via: 'api' });
      return entry;
    });
  }

  /** Hot path: memory only. */
  isBlacklisted(site: string, cardHash: string): boolean {
    return this.blacklistTable.has(site, cardHash);
  }

  /** `search` matches part of the masked card or the reason. */
  blacklist(site?: string, search?: string): BlacklistEntry[] {
    return this.blacklistTable.list(site, search);
  }

  // --- stolen e-bike tags -------------------------------------------------

  reportStolen(input: StolenTagInput, actor: string): Written<StolenTag> {
    return this.putStolen(this.stolenTagOf(input), actor, 'api');
  }

  recoverTag(tag: string, actor: string): boolean {
    const id = tagOf(tag);
    return this.write(() => {
      if (!this.stolenTagTable.remove(id)) return false;
      this.record(actor, 'stolen-tags', 'remove', null, id, {});
      return true;
    });
  }

  /** Hot path (every tag read): memory only; a tag id in either case matches. */
  isStolen(tag: string): boolean {
    return this.stolenTagTable.has(tag) || this.stolenTagTable.has(tag.toUpperCase());
  }

  stolenTags(query: StolenTagSearch = {}): { total: number; tags: StolenTag[] } {
    return this.stolenTagTable.search(query);
  }

  // --- audit and CSV ------------------------------------------------------

  /** Newest first. */
  audit(filter: AuditFilter = {}): RegisterAuditEntry[] {
    return this.auditLog.list(filter);
  }

  /** Cards appear masked and hashed; stolen-tag rows carry the owner's contact (operators call them). */
  exportCsv(register: RegisterName, filter: { site?: string | undefined } = {}): string {
    const header = CSV_FORMATS[register].exportColumns;
    switch (register) {
      case 'room-cards':
        return formatCsv([header, ...this.roomCardTable.list({ site: filter.site }).map(exportRow['room-cards'])]);
      case 'blacklist':
        return formatCsv([header, ...this.blacklistTable.list(filter.site).map(exportRow.blacklist)]);
      case 'stolen-tags':
        return formatCsv([header, ...this.stolenTagTable.search({ limit: -1 }).tags.map(exportRow['stolen-tags'])]);
    }
  }

  /**
   * Valid rows are imported in one transaction (each with its audit row);
   * invalid ones are reported by line and skipped. An existing entry is
   * updated, as a single add would.
   */
  importCsv(register: RegisterName, text: string, actor: string): ImportReport {
    const { rows, errors } = readImportTable(register, text);
    let imported = 0;
    this.write(() => {
      for (const row of rows) {
        try {
          this.importRow(register, row, actor);
          imported++;
        } catch (err) {
          if (!(err instanceof RegisterInputError)) throw err;
          errors.push({ line: row.line, message: `${snakeCase(err.field)}: ${err.expected}` });
        }
      }
    });
    return { imported, errors: errors.sort((a, b) => a.line - b.line) };
  }

  // --- internals ----------------------------------------------------------

  private importRow(register: RegisterName, row: CsvRow, actor: string): void {
    const optional = (column: string) => (row.cell(column).trim() === '' ? undefined : row.cell(column));
    switch (register) {
      case 'room-cards': {
        const site = siteOf(row.cell('site'));
        const validUntil = optional('valid_until');
        this.putRoomCard(
          {
            site,
            room: roomOf(row.cell('room')),
            ...this.cardCells(site, row),
            tenantName: optionalTextOf('tenantName', row.cell('tenant_name'), TENANT_MAX),
            validUntil: validUntil === undefined ? null : timeCellOf('validUntil', validUntil),
          },
          actor,
          'csv',
        );
        return;
      }
      case 'blacklist': {
        const site = siteOf(row.cell('site'));
        this.putBlacklisted({ site, ...this.cardCells(site, row), reason: textOf('reason', row.cell('reason'), REASON_MAX) }, actor, 'csv');
        return;
      }
      case 'stolen-tags': {
        const reportedAt = optional('reported_at');
        const input: StolenTagInput = {
          tag: row.cell('tag'),
          ownerName: row.cell('owner_name'),
          ownerContact: row.cell('owner_contact'),
          note: row.cell('note'),
          reportedAt: reportedAt === undefined ? undefined : timeCellOf('reportedAt', reportedAt),
        };
        this.putStolen(this.stolenTagOf(input), actor, 'csv');
        return;
      }
    }
  }

  /** The clear `card` if the row has one, else the hash and masked form of an earlier export. */
  private cardCells(site: string, row: CsvRow): { cardHash: string; cardMasked: string } {
    const card = row.cell('card');
    if (card.trim() !== '' || row.cell('card_hash').trim() === '') {
      checkCard(card);
      const { hash, masked } = this.protectCardFor(site)(card);
      return { cardHash: hash, cardMasked: masked };
    }
    return { cardHash: cardHashOf(row.cell('card_hash').trim(), 'cardHash'), cardMasked: cardMaskedOf(row.cell('card_masked').trim()) };
  }

  private roomCardOf(input: RoomCardInput): Omit<RoomCard, 'addedAt' | 'addedBy'> {
    const site = siteOf(input.site);
    const room = roomOf(input.room);
    checkCard(input.card);
    const { hash, masked } = this.protectCardFor(site)(input.card);
    return {
      site,
      room,
      cardHash: hash,
      cardMasked: masked,
      tenantName: optionalTextOf('tenantName', input.tenantName, TENANT_MAX),
      validUntil: input.validUntil === undefined || input.validUntil === null ? null : epochMsOf('validUntil', input.validUntil),
    };
  }

  private stolenTagOf(input: StolenTagInput): Omit<StolenTag, 'addedAt' | 'addedBy'> {
    return {
      tag: tagOf(input.tag),
      ownerName: textOf('ownerName', input.ownerName, OWNER_MAX),
      ownerContact: textOf('ownerContact', input.ownerContact, CONTACT_MAX),
      reportedAt: input.reportedAt === undefined ? this.now() : epochMsOf('reportedAt', input.reportedAt),
      note: optionalTextOf('note', input.note, NOTE_MAX, 'lines'),
    };
  }

  private putRoomCard(card: Omit<RoomCard, 'addedAt' | 'addedBy'>, actor: string, via: Via): Written<RoomCard> {
    return this.write(() => {
      const existing = this.roomCardTable.get(card.site, card.room, card.cardHash);
      const entry: RoomCard = { ...card, addedAt: existing?.addedAt ?? this.now(), addedBy: existing?.addedBy ?? actor };
      this.roomCardTable.put(entry);
      this.record(actor, 'room-cards', existing ? 'update' : 'add', card.site, card.cardHash, {
        room: card.room,
        cardMasked: card.cardMasked,
        validUntil: card.validUntil,
        via,
      });
      return { entry, created: !existing };
    });
  }

  private putBlacklisted(entry: Omit<BlacklistEntry, 'addedAt' | 'addedBy'>, actor: string, via: Via): Written<BlacklistEntry> {
    return this.write(() => {
      const existing = this.blacklistTable.get(entry.site, entry.cardHash);
      const full: BlacklistEntry = { ...entry, addedAt: existing?.addedAt ?? this.now(), addedBy: existing?.addedBy ?? actor };
      this.blacklistTable.put(full);
      this.record(actor, 'blacklist', existing ? 'update' : 'add', entry.site, entry.cardHash, { cardMasked: entry.cardMasked, reason: entry.reason, via });
      return { entry: full, created: !existing };
    });
  }

  private putStolen(tag: Omit<StolenTag, 'addedAt' | 'addedBy'>, actor: string, via: Via): Written<StolenTag> {
    return this.write(() => {
      const existing = this.stolenTagTable.get(tag.tag);
      const entry: StolenTag = { ...tag, addedAt: existing?.addedAt ?? this.now(), addedBy: existing?.addedBy ?? actor };
      this.stolenTagTable.put(entry);
      // The owner's name and contact stay out of the audit trail: it is kept after the tag is recovered.
      this.record(actor, 'stolen-tags', existing ? 'update' : 'add', null, tag.tag, { reportedAt: tag.reportedAt, via });
      return { entry, created: !existing };
    });
  }

  private record(actor: string, register: RegisterName, action: AuditAction, site: string | null, key: string, detail: AuditDetail): void {
    this.auditLog.append({ at: this.now(), actor, register, action, site, key, detail });
  }

  /** One transaction; should it fail, memory is rebuilt from what SQLite kept. */
  private write<T>(change: () => T): T {
    try {
      return this.db.transaction(change)();
    } catch (err) {
      this.reload();
      throw err;
    }
  }
}

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
