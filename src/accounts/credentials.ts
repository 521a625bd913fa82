import { createHash, randomBytes } from 'node:crypto';
import { AccountInputError } from './errors.js';

/** Lower-case letters, digits, dot, dash, underscore; 2–32 characters, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;

/**
 * Length is the only rule (NIST SP 800-63B §5.1.1.2: at least 8, no
 * composition rules); 10 because these accounts open the command centre.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** Log-in is case-insensitive about the username; everything stored is lower case. */
export function normalizeUsername(input: string): string | undefined {
  const username = input.trim().toLowerCase();
  return USERNAME_PATTERN.test(username) ? username : undefined;
}

export function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new AccountInputError(`username must match ${USERNAME_PATTERN.source} (lower case, 2–32 characters); got ${JSON.stringify(username)}`);
  }
}

export function checkPassword(password: string, username: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) throw new AccountInputError(`password needs at least ${PASSWORD_MIN_LENGTH} characters; it has ${length}`);
  if (length > PASSWORD_MAX_LENGTH) throw new AccountInputError(`password may have at most ${PASSWORD_MAX_LENGTH} characters; it has ${length}`);
  if (password.toLowerCase() === username.toLowerCase()) throw new AccountInputError('password must not be the username');
}

/** 144 random bits as 24 base64url characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** A session token: 32 random bytes, base64url (43 characters). Only its SHA-256 is stored. */
export function issueSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function sessionTokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
