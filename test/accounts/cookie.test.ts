import t from 'tap';
import { SESSION_COOKIE, clearedSessionCookie, readCookie, sessionCookie } from '../../src/accounts/cookie.js';

t.test('the session cookie is HttpOnly, SameSite=Strict, Path=/, Secure only when asked', async (t) => {
  t.equal(sessionCookie('tok', 43200, { secure: false }), 'vsg_session=tok; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict');
  t.equal(sessionCookie('tok', 43200.7, { secure: true }), 'vsg_session=tok; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure');
  t.equal(clearedSessionCookie({ secure: false }), 'vsg_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
});

t.test('reading a cookie header (RFC 6265 §5.4)', async (t) => {
  t.equal(readCookie(undefined, SESSION_COOKIE), undefined);
  t.equal(readCookie('', SESSION_COOKIE), undefined);
  t.equal(readCookie('vsg_session=abc', SESSION_COOKIE), 'abc');
  t.equal(readCookie('theme=dark; vsg_session=abc; x=1', SESSION_COOKIE), 'abc');
  t.equal(readCookie('theme=dark;vsg_session="abc"', SESSION_COOKIE), 'abc');
  t.equal(readCookie('my_vsg_session=abc; vsg_sessionx=1', SESSION_COOKIE), undefined, 'names match exactly');
  t.equal(readCookie('vsg_session=first; vsg_session=second', SESSION_COOKIE), 'first');
  t.equal(readCookie('garbage; vsg_session=a=b', SESSION_COOKIE), 'a=b');
});
