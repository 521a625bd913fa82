import createError from '@fastify/error';

/** Domain errors of the account store; the routes map them to coded API errors. */
export class AccountExistsError extends Error {
  constructor(readonly username: string) {
    super(`account ${username} already exists`);
    this.name = 'AccountExistsError';
  }
}

export class AccountNotFoundError extends Error {
  constructor(readonly username: string) {
    super(`account ${username} does not exist`);
    this.name = 'AccountNotFoundError';
  }
}

/** Refused so the gateway always keeps one admin who can log in. */
export class LastAdminError extends Error {
  constructor(readonly username: string) {
    super(`account ${username} is the last enabled admin; make another admin first`);
    this.name = 'LastAdminError';
  }
}

/** Input a person can fix: a short password, a team account without a team, an unknown team. */
export class AccountInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountInputError';
  }
}

/** Coded HTTP errors of the accounts API (fastify's error shape, like src/api/errors.ts). */
export const AccountApiErrors = {
  LoginFailed: createError('GW_LOGIN_FAILED', 'wrong username or password', 401),
  LoginRateLimited: createError('GW_LOGIN_RATE_LIMITED', 'too many failed log-ins; try again in %d s', 429),
  JsonRequired: createError(
    'GW_JSON_REQUIRED',
    'a request that changes state with the session cookie must have "content-type: application/json" (send {} when there is no body)',
    415,
  ),
  NotAnAccount: createError('GW_NOT_AN_ACCOUNT', '%s is a bearer token, not an account; only an account has a password', 400),
  CurrentPasswordWrong: createError('GW_CURRENT_PASSWORD_WRONG', 'the current password is wrong', 403),
  AccountNotFound: createError('GW_ACCOUNT_NOT_FOUND', 'account %s does not exist', 404),
  AccountExists: createError('GW_ACCOUNT_EXISTS', 'account %s already exists', 409),
  LastAdmin: createError('GW_LAST_ADMIN', 'account %s is the last enabled admin; make another admin first', 409),
  AccountInvalid: createError('GW_ACCOUNT_INVALID', '%s', 400),
};
