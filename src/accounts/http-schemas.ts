import { ROLES } from '../api/auth.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from './credentials.js';

/** JSON schemas of the accounts API: they validate requests, shape responses and feed /docs. */

export const accountSchema = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    teamId: { type: ['string', 'null'], description: 'the patrol team of a team account; null for other roles' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
    lastLoginAt: { type: ['integer', 'null'] },
  },
} as const;

export const meSchema = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    displayName: { type: 'string' },
    teamId: { type: ['string', 'null'] },
    via: { type: 'string', enum: ['session', 'token'], description: 'session cookie or bearer token' },
    sessionExpiresAt: { type: ['integer', 'null'], description: 'epoch ms; slides forward while the session is used' },
  },
} as const;

const username = { type: 'string', pattern: USERNAME_PATTERN.source } as const;
const newPassword = { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH } as const;
const displayName = { type: 'string', minLength: 1, maxLength: 80 } as const;
const teamId = { type: ['string', 'null'], minLength: 1, maxLength: 64, description: 'required for role team, null or absent otherwise' } as const;

export const usernameParams = { type: 'object', required: ['username'], properties: { username } } as const;

export const loginBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 128 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const loginResponse = {
  type: 'object',
  properties: { username: { type: 'string' }, role: { type: 'string', enum: ROLES }, displayName: { type: 'string' }, teamId: { type: ['string', 'null'] } },
} as const;

export const changePasswordBody = {
  type: 'object',
  required: ['currentPassword', 'newPassword'],
  additionalProperties: false,
  properties: { currentPassword: { type: 'string', minLength: 1, maxLength: 1024 }, newPassword },
} as const;

export const createAccountBody = {
  type: 'object',
  required: ['username', 'displayName', 'role', 'password'],
  additionalProperties: false,
  properties: { username, displayName, role: { type: 'string', enum: ROLES }, teamId, password: { ...newPassword, description: 'initial password; only its scrypt hash is stored' } },
} as const;

export const patchAccountBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { displayName, role: { type: 'string', enum: ROLES }, teamId },
} as const;

export const resetPasswordBody = {
  type: 'object',
  required: ['password'],
  additionalProperties: false,
  properties: { password: newPassword },
} as const;

export const auditResponse = {
  type: 'object',
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          at: { type: 'integer' },
          actor: { type: 'string' },
          username: { type: 'string' },
          action: { type: 'string' },
          detail: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

