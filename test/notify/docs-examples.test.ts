import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { signWebhook } from '../../src/notify/signature.js';

const doc = readFileSync(new URL('../../docs/brigade-webhooks.md', import.meta.url), 'utf8');
const block = (lang: string) => {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc);
  if (!match?.[1]) throw new Error(`no ${lang} block in docs/brigade-webhooks.md`);
  return match[1];
};

const SECRET = 'whsec_docs-example-secret-0123456789';
const BODY = '{"id":"bs_0011223344556677.inc7.v1.opened","type":"incident.opened","incident":{"title":"Brand im Lager – 火灾"}}';

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'brigade-docs-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test("the docs' Node verify() accepts the gateway's signature and refuses a stale or altered one", async (t) => {
  const source = block('js');
  const verifySource = /export function verify[\s\S]*?\n}\n/.exec(source)?.[0];
  t.ok(verifySource, 'the example exports verify()');
  const file = join(dir(t), 'verify.mjs');
  writeFileSync(file, `import { createHmac, timingSafeEqual } from 'node:crypto';\nconst TOLERANCE_S = 300;\n${verifySource}`);
  const { verify } = (await import(pathToFileURL(file).href)) as { verify: (s: string, ts: string, sig: string, raw: Buffer) => boolean };
  const now = Math.floor(Date.now() / 1000);
  const raw = Buffer.from(BODY);
  t.equal(verify(SECRET, String(now), signWebhook(SECRET, now, BODY), raw), true);
  t.equal(verify(SECRET, String(now - 301), signWebhook(SECRET, now - 301, BODY), raw), false, 'older than 5 minutes');
  t.equal(verify(SECRET, String(now), signWebhook(SECRET, now, BODY), Buffer.from(BODY.replace('opened', 'updated'))), false);
  t.equal(verify('another-secret-0123456789abcdef', String(now), signWebhook(SECRET, now, BODY), raw), false);
});

t.test("the docs' Python verify() does the same", async (t) => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
  } catch {
    t.comment('python3 is not installed: the Python example is not run');
    return;
  }
  const now = Math.floor(Date.now() / 1000);
  const file = join(dir(t), 'verify.py');
  writeFileSync(
    file,
    `${block('python')}
import sys
body = sys.stdin.buffer.read()
secret, ts, sig, ts_old, sig_old = sys.argv[1:6]
print(verify(secret, ts, sig, body), verify(secret, ts_old, sig_old, body), verify(secret, ts, sig, body + b" "), verify("x" * 32, ts, sig, body))
`,
  );
  const out = execFileSync('python3', [file, SECRET, String(now), signWebhook(SECRET, now, BODY), String(now - 400), signWebhook(SECRET, now - 400, BODY)], { input: Buffer.from(BODY) })
    .toString()
    .trim();
  t.equal(out, 'True False False False');
});
