import t from 'tap';
import { CsvSyntaxError, formatCsv, parseCsv } from '../../src/registers/csv.js';
import { CLEAR_FORMS, ID_NUMBER, ID_NUMBER_MASKED, UID, protectCardFor, registersFixture } from './helpers.js';

t.test('RFC 4180: quoted fields hold commas, doubled quotes and line breaks; records keep their first line', async (t) => {
  const text = '\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,"two\r\nlines",\n3,plain,last';
  t.same(parseCsv(text), [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
    { line: 4, fields: ['2', 'two\r\nlines', ''] },
    { line: 6, fields: ['3', 'plain', 'last'] },
  ]);
});

t.test('RFC 4180 §2.5, §2.7: a bare quote or text after a closing quote is an error at its line', async (t) => {
  const lineOf = (text: string) => {
    try {
      parseCsv(text);
      return undefined;
    } catch (err) {
      return err instanceof CsvSyntaxError ? err.line : undefined;
    }
  };
  t.equal(lineOf('a\nb"c\n'), 2);
  t.equal(lineOf('a\n"b"c\n'), 2);
  t.equal(lineOf('a\n"multi\nline"x\n'), 3);
  t.equal(lineOf('a\nb\n"never closed\n\n'), 3, 'an open quote is reported where it starts');
});

t.test('formatCsv quotes only what needs it and round-trips through parseCsv', async (t) => {
  const rows = [['plain', 'with,comma', 'with "quote"', 'two\nlines', ' padded ', '', '张三']];
  const text = formatCsv(rows);
  t.equal(text, 'plain,"with,comma","with ""quote""","two\nlines"," padded ",,张三\r\n');
  t.same(parseCsv(text).map((r) => r.fields), rows);
});

t.test('stolen tags: export, import into an empty gateway, export again gives the same file', async (t) => {
  const source = registersFixture(t);
  source.registers.reportStolen({ tag: 'T0001E240', ownerName: 'Zhang, Wei', ownerContact: '138 0000 1111', note: 'said "red"\nbasket', reportedAt: Date.UTC(2024, 11, 31, 22) }, 'alice');
  source.registers.reportStolen({ tag: 'T00ABCDEF', ownerName: 'Li Na', ownerContact: '13922223333' }, 'alice');
  const exported = source.registers.exportCsv('stolen-tags');
  t.match(exported, /^tag,owner_name,owner_contact,reported_at,note,added_at,added_by\r\n/);
  t.match(exported, /T0001E240,"Zhang, Wei",138 0000 1111,2024-12-31T22:00:00.000Z,"said ""red""\nbasket"/);

  const target = registersFixture(t);
  t.same(target.registers.importCsv('stolen-tags', exported, 'alice'), { imported: 2, errors: [] });
  t.equal(target.registers.isStolen('T0001E240'), true);
  t.equal(target.registers.exportCsv('stolen-tags'), exported);
  t.same(target.registers.audit().map((e) => e.detail.via), ['csv', 'csv'], 'audited as an import');
});

t.test('cards: imported with the number, exported masked and hashed; the export restores another gateway with the same key', async (t) => {
  const source = registersFixture(t);
  const csv = [
    'site,room,card,tenant_name,valid_until',
    `north,3-201,${ID_NUMBER},Wang Fang,2025-06-30T23:59:59+08:00`,
    `north,"A 7",${UID},,`,
    `south,1,${UID},"Chen, Jie",1751299199000`,
  ].join('\r\n');
  t.same(source.registers.importCsv('room-cards', csv, 'alice'), { imported: 3, errors: [] });
  const hash = protectCardFor('north')(ID_NUMBER).hash;
  t.equal(source.registers.isCardRegisteredToRoom('north', '3-201', hash, Date.parse('2025-06-30T15:59:59Z')), true);
  t.equal(source.registers.isCardRegisteredToRoom('north', '3-201', hash, Date.parse('2025-06-30T16:00:00Z')), false, 'offset honoured');

  const exported = source.registers.exportCsv('room-cards');
  t.match(exported, /^site,room,card_masked,card_hash,tenant_name,valid_until,added_at,added_by\r\n/);
  t.match(exported, `north,3-201,${ID_NUMBER_MASKED},${hash},Wang Fang,2025-06-30T15:59:59.000Z,`);
  for (const clear of CLEAR_FORMS) t.notOk(exported.includes(clear), `export withholds ${clear}`);
  t.equal(source.registers.exportCsv('room-cards', { site: 'south' }).split('\r\n').length, 3, 'filtered by site: header, one row, end');

  const target = registersFixture(t);
  t.same(target.registers.importCsv('room-cards', exported, 'bob'), { imported: 3, errors: [] });
  t.equal(target.registers.isCardRegisteredToRoom('north', '3-201', hash, Date.parse('2025-06-01T00:00:00Z')), true);
  const [, ...rows] = target.registers.exportCsv('room-cards').split('\r\n');
  const [, ...sourceRows] = exported.split('\r\n');
  const withoutAdded = (row: string) => row.split(',').slice(0, 6).join(',');
  t.same(rows.map(withoutAdded), sourceRows.map(withoutAdded), 'same cards, rooms, tenants and validity');

  source.registers.importCsv('blacklist', `site,card,reason\nnorth,${UID},lost\n`, 'alice');
  const blacklist = source.registers.exportCsv('blacklist');
  t.match(blacklist, `north,******C3,${protectCardFor('north')(UID).hash},lost,`);
  t.same(target.registers.importCsv('blacklist', blacklist, 'bob'), { imported: 1, errors: [] });
  t.equal(target.registers.isBlacklisted('north', protectCardFor('north')(UID).hash), true);
});

t.test('import errors name the line and the column; good rows are still imported', async (t) => {
  const { registers } = registersFixture(t);
  const csv = [
    'site,room,card,tenant_name,valid_until', // 1
    `north,1,${ID_NUMBER},,`, // 2 ok
    `north,2,12345,,`, // 3 bad card
    `north,"three`, // 4: a quoted room spanning two lines…
    `lines",${UID},,`, // 5  …is one record starting at line 4, and too long a room
    `North,4,${UID},,`, // 6 bad site
    `north,5,${UID},,2025-06-30`, // 7 date without time
    `north,6,${UID}`, // 8 too few fields
    `north,7,${UID},Li ${ID_NUMBER},`, // 9 ID number in a name
    `north,8,,,`, // 10 no card
    `north,9,${UID},,`, // 11 ok
  ].join('\n');
  const report = registers.importCsv('room-cards', csv, 'alice');
  t.equal(report.imported, 2);
  t.same(report.errors, [
    { line: 3, message: 'card: expected 18-character ID number or 8–20 hex UID' },
    { line: 4, message: 'room: expected text of 1–16 characters, as the lock reports it' },
    { line: 6, message: 'site: expected a site id matching ^[a-z0-9][a-z0-9-]{0,31}$' },
    { line: 7, message: 'valid_until: expected epoch milliseconds or ISO 8601 time with offset, e.g. 2025-12-31T23:59:59+08:00' },
    { line: 8, message: '3 fields, the header has 5' },
    { line: 9, message: 'tenant_name: expected text, not an ID number' },
    { line: 10, message: 'card: expected 18-character ID number or 8–20 hex UID' },
  ]);
  for (const clear of CLEAR_FORMS) t.notOk(JSON.stringify(report).includes(clear), `report withholds ${clear}`);
  t.equal(registers.audit().length, 2, 'one audit row per imported row');
});

t.test('a header that does not fit, or a file that is not CSV, imports nothing and says why at its line', async (t) => {
  const { registers } = registersFixture(t);
  t.same(registers.importCsv('stolen-tags', '', 'a'), { imported: 0, errors: [{ line: 1, message: 'empty file: expected a header row' }] });
  t.same(registers.importCsv('stolen-tags', 'tag,owner_name,owner_contcat\nT00000001,a,b\n', 'a').errors, [
    { line: 1, message: 'unknown column "owner_contcat"; expected tag, owner_name, owner_contact, reported_at, note' },
  ]);
  t.same(registers.importCsv('blacklist', 'site,card\nnorth,04A1B2C3\n', 'a').errors, [
    { line: 1, message: 'missing columns: expected site, reason, card or site, reason, card_hash, card_masked' },
  ]);
  t.same(registers.importCsv('blacklist', 'site,card,card,reason\n', 'a').errors, [{ line: 1, message: 'column "card" appears twice' }]);
  t.same(registers.importCsv('stolen-tags', 'tag,owner_name,owner_contact\nT00000001,"Li,13800000000\n', 'a'), {
    imported: 0,
    errors: [{ line: 2, message: 'not RFC 4180 CSV: quoted field is not closed' }],
  });
  t.same(registers.importCsv('room-cards', 'site,room,card_hash,card_masked\nnorth,1,abc,***1\nnorth,2,' + 'a'.repeat(64) + `,${ID_NUMBER}\n`, 'a').errors, [
    { line: 2, message: 'card_hash: expected 64 lower-case hex digits (the card hash)' },
    { line: 3, message: 'card_masked: expected a masked card such as 330***********1234' },
  ], 'a hash import cannot smuggle a clear number in as the masked form');
  t.same(registers.stolenTags().total, 0);
});
