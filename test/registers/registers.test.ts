import t from 'tap';
import { RegisterInputError } from '../../src/registers/errors.js';
import { CLEAR_FORMS, ID_NUMBER, ID_NUMBER_MASKED, UID, protectCardFor, registersFixture } from './helpers.js';

const HOUR = 3_600_000;
const hashAt = (site: string, card: string) => protectCardFor(site)(card).hash;

t.test('a registered card opens its room only, until validUntil inclusive', async (t) => {
  const { registers, clock } = registersFixture(t);
  const until = clock.now + HOUR;
  const written = registers.registerCard({ site: 'north', room: '3-201', card: ID_NUMBER, tenantName: 'Wang Fang', validUntil: until }, 'alice');
  t.equal(written.created, true);
  t.equal(written.entry.cardMasked, ID_NUMBER_MASKED);
  const hash = hashAt('north', ID_NUMBER);
  t.equal(written.entry.cardHash, hash);
  t.equal(registers.isCardRegisteredToRoom('north', '3-201', hash, clock.now), true);
  t.equal(registers.isCardRegisteredToRoom('north', '3-201', hash, until), true, 'the last valid instant');
  t.equal(registers.isCardRegisteredToRoom('north', '3-201', hash, until + 1), false, 'expired');
  t.equal(registers.isCardRegisteredToRoom('north', '3-202', hash, clock.now), false, 'another room');
  t.equal(registers.isCardRegisteredToRoom('south', '3-201', hash, clock.now), false, 'another site');
  t.equal(registers.isCardRegisteredToRoom('south', '3-201', hashAt('south', ID_NUMBER), clock.now), false, "another site's key");

  t.same(registers.roomCards('north', '3-201'), [{ cardHash: hash, cardMasked: ID_NUMBER_MASKED, tenantName: 'Wang Fang', validUntil: until, addedAt: clock.now }]);
});

t.test('one card, one entry: the printed form with spaces and a lower-case x matches; re-registering updates', async (t) => {
  const { registers, clock } = registersFixture(t);
  const first = registers.registerCard({ site: 'north', room: '12', card: '33010619900101123X' }, 'alice');
  clock.now += HOUR;
  const again = registers.registerCard({ site: 'north', room: '12', card: ' 330106 19900101 123x', validUntil: clock.now + HOUR }, 'bob');
  t.equal(again.created, false);
  t.equal(again.entry.cardHash, first.entry.cardHash);
  t.equal(again.entry.addedAt, first.entry.addedAt, 'first registration time kept');
  t.equal(again.entry.addedBy, 'alice');
  t.equal(registers.roomCards('north', '12').length, 1);
  t.equal(registers.roomCards('north', '12')[0]?.validUntil, clock.now + HOUR);
  t.equal(registers.isCardRegisteredToRoom('north', '12', first.entry.cardHash, clock.now + HOUR + 1), false, 'the new validity applies in memory too');
});

t.test('unregistering removes the card from memory and SQLite; a new instance loads the index at start', async (t) => {
  const { registers, reopen, clock } = registersFixture(t);
  const kept = registers.registerCard({ site: 'north', room: '7', card: UID }, 'alice').entry;
  const gone = registers.registerCard({ site: 'north', room: '7', card: ID_NUMBER }, 'alice').entry;
  t.equal(registers.unregisterCard('north', '7', gone.cardHash, 'alice'), true);
  t.equal(registers.unregisterCard('north', '7', gone.cardHash, 'alice'), false, 'already gone');
  t.equal(registers.isCardRegisteredToRoom('north', '7', gone.cardHash, clock.now), false);
  const restarted = reopen();
  t.equal(restarted.isCardRegisteredToRoom('north', '7', kept.cardHash, clock.now), true);
  t.equal(restarted.isCardRegisteredToRoom('north', '7', gone.cardHash, clock.now), false);
});

t.test('input is checked, and errors say what was expected without repeating the value', async (t) => {
  const { registers } = registersFixture(t);
  const refused = (what: string, change: () => unknown, field: string) => {
    try {
      change();
      t.fail(`${what}: accepted`);
    } catch (err) {
      t.ok(err instanceof RegisterInputError, what);
      t.equal((err as RegisterInputError).field, field, what);
      for (const clear of CLEAR_FORMS) t.notOk((err as Error).message.includes(clear), `${what}: no card in the message`);
    }
  };
  refused('a card of 17 digits', () => registers.registerCard({ site: 'north', room: '1', card: ID_NUMBER.slice(0, 17) }, 'a'), 'card');
  refused('a card with odd hex', () => registers.blacklistCard({ site: 'north', card: '04A1B2C', reason: 'lost' }, 'a'), 'card');
  refused('a bad site', () => registers.registerCard({ site: 'North Gate', room: '1', card: UID }, 'a'), 'site');
  refused('a room of 17 characters', () => registers.registerCard({ site: 'north', room: 'x'.repeat(17), card: UID }, 'a'), 'room');
  refused('an ID number as the room', () => registers.registerCard({ site: 'north', room: ID_NUMBER, card: UID }, 'a'), 'room');
  refused('an ID number in the tenant name', () => registers.registerCard({ site: 'north', room: '1', card: UID, tenantName: `Li ${ID_NUMBER}` }, 'a'), 'tenantName');
  refused('an ID number in a blacklist reason', () => registers.blacklistCard({ site: 'north', card: UID, reason: `same as ${ID_NUMBER}` }, 'a'), 'reason');
  refused('a negative validUntil', () => registers.registerCard({ site: 'north', room: '1', card: UID, validUntil: -1 }, 'a'), 'validUntil');
  refused('a tag without T', () => registers.reportStolen({ tag: '0001E240', ownerName: 'Li', ownerContact: '13800000000' }, 'a'), 'tag');
  refused('an ID number in a stolen-tag note', () => registers.reportStolen({ tag: 'T0001E240', ownerName: 'Li', ownerContact: '1', note: ID_NUMBER }, 'a'), 'note');
  t.same(registers.audit(), [], 'nothing was written');
});

t.test('blacklist: per site, in memory, listed masked, lifted', async (t) => {
  const { registers, reopen, clock } = registersFixture(t);
  const written = registers.blacklistCard({ site: 'north', card: UID, reason: 'reported lost' }, 'alice');
  t.equal(written.created, true);
  t.equal(written.entry.cardMasked, '******C3');
  const hash = hashAt('north', UID);
  t.equal(registers.isBlacklisted('north', hash), true);
  t.equal(registers.isBlacklisted('south', hash), false);
  t.equal(registers.blacklistCard({ site: 'north', card: '04-a1-b2-c3', reason: 'stolen wallet' }, 'bob').created, false, 'same card, reason updated');
  t.same(registers.blacklist('north'), [{ site: 'north', cardHash: hash, cardMasked: '******C3', reason: 'stolen wallet', addedAt: clock.now, addedBy: 'alice' }]);
  t.same(registers.blacklist('south'), []);
  t.equal(reopen().isBlacklisted('north', hash), true, 'loaded at start');
  t.equal(registers.unblacklist('north', hash, 'alice'), true);
  t.equal(registers.unblacklist('north', hash, 'alice'), false);
  t.equal(registers.isBlacklisted('north', hash), false);
});

t.test('stolen tags: canonical ids, either case matches, search, recovery deletes the report', async (t) => {
  const { registers, reopen, clock } = registersFixture(t);
  const written = registers.reportStolen({ tag: 't0001e240', ownerName: 'Zhang Wei', ownerContact: '138-0000-1111', note: 'red Yadea, basket' }, 'alice');
  t.equal(written.entry.tag, 'T0001E240');
  t.equal(written.entry.reportedAt, clock.now, 'reported now unless told');
  registers.reportStolen({ tag: 'T00ABCDEF', ownerName: 'Li Na', ownerContact: '139 2222 3333', reportedAt: clock.now - HOUR }, 'alice');
  t.equal(registers.isStolen('T0001E240'), true);
  t.equal(registers.isStolen('t0001e240'), true);
  t.equal(registers.isStolen('T0001E241'), false);
  t.equal(reopen().isStolen('T00ABCDEF'), true, 'loaded at start');

  t.same(registers.stolenTags().tags.map((s) => s.tag), ['T0001E240', 'T00ABCDEF'], 'most recent report first');
  t.same(registers.stolenTags({ search: 'zhang' }).tags.map((s) => s.tag), ['T0001E240'], 'owner, case-insensitive');
  t.same(registers.stolenTags({ search: '2222' }).tags.map((s) => s.tag), ['T00ABCDEF'], 'contact');
  t.same(registers.stolenTags({ search: 'basket' }).tags.map((s) => s.tag), ['T0001E240'], 'note');
  t.same(registers.stolenTags({ search: 'abcd' }).tags.map((s) => s.tag), ['T00ABCDEF'], 'tag');
  t.same(registers.stolenTags({ search: '%' }).total, 0, 'LIKE wildcards are literal');
  t.same(registers.stolenTags({ limit: 1, offset: 1 }), { total: 2, tags: [registers.stolenTags().tags[1]] }, 'paged');

  t.equal(registers.recoverTag('t0001e240', 'bob'), true);
  t.equal(registers.recoverTag('T0001E240', 'bob'), false);
  t.equal(registers.isStolen('T0001E240'), false);
  t.equal(registers.stolenTags().total, 1);
});

t.test('every change appends an audit row with actor, time, register and key; no clear card, name or contact', async (t) => {
  const { registers, clock } = registersFixture(t);
  const card = registers.registerCard({ site: 'north', room: '5', card: ID_NUMBER, tenantName: 'Wang Fang' }, 'alice').entry;
  clock.now += 1000;
  registers.registerCard({ site: 'north', room: '5', card: ID_NUMBER, validUntil: clock.now + HOUR }, 'alice');
  registers.unregisterCard('north', '5', card.cardHash, 'bob');
  registers.blacklistCard({ site: 'north', card: ID_NUMBER, reason: 'fake tenant' }, 'carol');
  registers.unblacklist('north', card.cardHash, 'carol');
  registers.reportStolen({ tag: 'T0001E240', ownerName: 'Zhang Wei', ownerContact: '13800001111' }, 'dave');
  registers.recoverTag('T0001E240', 'dave');

  const entries = registers.audit().reverse();
  t.same(
    entries.map((e) => [e.actor, e.register, e.action, e.site, e.key]),
    [
      ['alice', 'room-cards', 'add', 'north', card.cardHash],
      ['alice', 'room-cards', 'update', 'north', card.cardHash],
      ['bob', 'room-cards', 'remove', 'north', card.cardHash],
      ['carol', 'blacklist', 'add', 'north', card.cardHash],
      ['carol', 'blacklist', 'remove', 'north', card.cardHash],
      ['dave', 'stolen-tags', 'add', null, 'T0001E240'],
      ['dave', 'stolen-tags', 'remove', null, 'T0001E240'],
    ],
  );
  t.same(entries[0]?.detail, { room: '5', cardMasked: ID_NUMBER_MASKED, validUntil: null, via: 'api' });
  t.equal(entries[1]?.at, clock.now);
  t.same(registers.audit({ register: 'blacklist' }).length, 2, 'filter by register');
  t.same(registers.audit({ key: 'T0001E240' }).length, 2, 'filter by key');
  t.same(registers.audit({ limit: 2, beforeId: entries[2]!.id }).map((e) => e.id), [entries[1]!.id, entries[0]!.id], 'paged, newest first');
  const text = JSON.stringify(entries);
  for (const secret of [...CLEAR_FORMS, 'Wang Fang', 'Zhang Wei', '13800001111']) t.notOk(text.includes(secret), `audit withholds ${secret}`);
});

t.test('a failed write leaves memory as SQLite has it', async (t) => {
  const { db, registers, clock } = registersFixture(t);
  db.exec(`CREATE TRIGGER refuse_mallory BEFORE INSERT ON register_audit WHEN NEW.actor = 'mallory' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
  t.throws(() => registers.registerCard({ site: 'north', room: '1', card: UID }, 'mallory'), /refused/);
  t.equal(registers.isCardRegisteredToRoom('north', '1', hashAt('north', UID), clock.now), false);
  t.throws(() => registers.reportStolen({ tag: 'T00000001', ownerName: 'x', ownerContact: 'y' }, 'mallory'), /refused/);
  t.equal(registers.isStolen('T00000001'), false);
  t.same(registers.roomCards('north', '1'), []);
});

t.test('the clear card number is in no byte of the SQLite files', async (t) => {
  const { db, registers, fileBytes } = registersFixture(t);
  registers.registerCard({ site: 'north', room: '5', card: ID_NUMBER }, 'alice');
  registers.registerCard({ site: 'north', room: '6', card: '330106 19900101 123x' }, 'alice');
  registers.blacklistCard({ site: 'north', card: UID, reason: 'lost' }, 'alice');
  registers.importCsv('room-cards', `site,room,card\r\nnorth,8,110101198001010019\r\nnorth,9,9f8e7d6c5b4a\r\nnorth,10,123\r\n`, 'alice');
  registers.importCsv('blacklist', `site,card,reason\r\nnorth,04a1b2c3,lost again\r\n`, 'alice');
  t.equal(registers.roomCards('north', '8').length, 1, 'imported');
  const check = (when: string) => {
    const bytes = fileBytes();
    t.ok(bytes.includes(hashAt('north', ID_NUMBER)) && bytes.includes(ID_NUMBER_MASKED), `${when}: the scan sees the stored hash and masked form`);
    for (const clear of CLEAR_FORMS) t.notOk(bytes.includes(clear), `${when}: ${clear} absent`);
  };
  check('with the WAL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  check('checkpointed and closed');
});
