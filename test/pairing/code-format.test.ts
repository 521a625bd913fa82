import t from 'tap';
import { CODE_ALPHABET, DEFAULT_PREFIXES, checkCharacter, generateCode, isParseFailure, parseCode } from '../../src/pairing/code-format.js';

t.test('the alphabet has no look-alikes and a prime size', async (t) => {
  for (const confusable of ['0', 'O', '1', 'I', 'L']) t.notOk(CODE_ALPHABET.includes(confusable), `${confusable} is not used`);
  t.equal(CODE_ALPHABET.length, 31);
  t.equal(new Set(CODE_ALPHABET).size, 31);
  for (const prefix of Object.values(DEFAULT_PREFIXES)) t.match(prefix, /^[A-Z]{1,4}$/);
});

t.test('generated codes look like FD-7K3Q-9M2X, parse back, and are unique', async (t) => {
  const seen = new Set<string>();
  const misshapen: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const code = generateCode('FD');
    if (!/^FD-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/.test(code.code)) misshapen.push(code.code);
    seen.add(code.compact);
    if (i < 50) {
      const parsed = parseCode(code.code);
      t.same(parsed, code);
    }
  }
  t.same(misshapen, [], 'every code has the printed shape');
  t.equal(seen.size, 20_000, '20,000 draws, no repeat');
});

t.test('input is read as typed or scanned: any case, spaces, dashes', async (t) => {
  const code = generateCode('CM');
  const sloppy = ` ${code.code.toLowerCase().replace(/-/g, ' ')} `;
  t.same(parseCode(sloppy), code);
  t.same(parseCode(code.compact), code);
});

t.test('the check character rejects every single typo and every swap of neighbours', async (t) => {
  for (let n = 0; n < 25; n++) {
    const code = generateCode('FD');
    const body = code.body;
    let substitutions = 0;
    for (let i = 0; i < body.length; i++) {
      for (const char of CODE_ALPHABET) {
        if (char === body[i]) continue;
        const typo = body.slice(0, i) + char + body.slice(i + 1);
        const parsed = parseCode(`FD${typo}`);
        if (!isParseFailure(parsed) || parsed.error !== 'check') t.fail(`typo ${typo} of ${body} was accepted`);
        substitutions++;
      }
    }
    for (let i = 0; i + 1 < body.length; i++) {
      if (body[i] === body[i + 1]) continue;
      const swapped = body.slice(0, i) + body[i + 1] + body[i] + body.slice(i + 2);
      const parsed = parseCode(`FD${swapped}`);
      if (!isParseFailure(parsed)) t.fail(`swap ${swapped} of ${body} was accepted`);
    }
    t.equal(substitutions, 8 * 30);
  }
  const failure = parseCode('FD-7K3Q-9M2' + (checkCharacter('7K3Q9M2') === 'X' ? 'Y' : 'X'));
  t.match(failure, { error: 'check', message: /typo/ });
});

t.test('malformed input says what is wrong', async (t) => {
  t.match(parseCode('FD-7K3Q'), { error: 'format', message: /FD-7K3Q-9M2X/ });
  t.match(parseCode('FD-7K3Q-9M2X-EXTRA-CHARS'), { error: 'format' });
  t.match(parseCode('F1-7K3Q-9M2X'), { error: 'format', message: /prefix/ });
  t.match(parseCode('FD-7K3O-9M2X'), { error: 'format', message: /"O" never appears/ });
  t.match(parseCode('FD-7K3Q-9M2l'), { error: 'format', message: /"L" never appears/ });
});
