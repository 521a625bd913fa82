import { createHmac } from 'node:crypto';
import t from 'tap';
import { createCardProtector, maskCard, normalizeCard } from '../../devices/card.js';

const ID_NUMBER = '330106199001011234';

t.test('the hash is HMAC-SHA-256 of the normalized card under the site secret, in hex', async (t) => {
  const protect = createCardProtector('example-site-secret');
  const expected = createHmac('sha256', 'example-site-secret').update(ID_NUMBER).digest('hex');
  t.equal(protect(ID_NUMBER).hash, expected);
  t.equal(protect(ID_NUMBER).hash, 'dd9f5fe7c2f7e9122d1b299c96ddfb0f564d59e21e040207df78eb3195995370', 'the value the lock examples use');
  t.match(protect('04A1B2C3').hash, /^[0-9a-f]{64}$/);
});

t.test('one card, one hash: spaces, dashes, surrounding blanks and case do not matter', async (t) => {
  const protect = createCardProtector('s3cret');
  const printed = protect('33010619900101123X').hash;
  for (const written of ['330106 19900101 123x', ' 330106-19900101-123X ', '330106\t19900101123x']) {
    t.equal(protect(written).hash, printed, JSON.stringify(written));
  }
  t.equal(protect('04-a1-b2-c3').hash, protect('04A1B2C3').hash, 'card UIDs too');
  t.equal(normalizeCard(' 04-a1 b2-c3 '), '04A1B2C3');
});

t.test('a different site secret gives an unrelated hash', async (t) => {
  t.not(createCardProtector('site-a').call(null, ID_NUMBER).hash, createCardProtector('site-b').call(null, ID_NUMBER).hash);
});

t.test('masking', async (t) => {
  t.equal(maskCard(ID_NUMBER), '330***********1234', '18-character ID number keeps the first 3 and last 4');
  t.equal(maskCard('330106 19900101 123x'), '330***********123X', 'masked after normalizing');
  t.equal(maskCard('04A1B2C3D4E5'), '04A*****D4E5', '12 characters count as long');
  t.equal(maskCard('04A1B2C3'), '******C3', 'card UIDs keep the last 2');
  t.equal(maskCard('04A1B2C3D4E'), '*********4E', '11 characters count as short');
  t.equal(maskCard('1234'), '**34');
  t.equal(maskCard('123'), '***', 'nothing shown of very short values');
  t.equal(maskCard(''), '');
  t.equal(createCardProtector('x')(ID_NUMBER).masked, maskCard(ID_NUMBER), 'the protector masks the same way');
});

t.test('neither output contains the clear number', async (t) => {
  const card = createCardProtector('example-site-secret')(ID_NUMBER);
  const text = JSON.stringify(card);
  t.notOk(text.includes(ID_NUMBER));
  t.notOk(text.includes('19900101'), 'no birth date');
});

t.test('an empty secret is refused at creation', async (t) => {
  t.throws(() => createCardProtector(''), /siteSecret must be a non-empty string/);
});
