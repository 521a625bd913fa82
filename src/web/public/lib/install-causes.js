// @ts-check
/**
 * The installer page's wording of what the gateway knows about a device being
 * commissioned: the likely causes (`GET /api/pairing/devices/:id` →
 * `likelyCauses`, each with a stable `key` and its `detail` as data; the
 * gateway's own `title`/`hint` are English) and the test each kind asks for.
 * Every text comes from the page's catalogue; topics, ids and codec errors are
 * data and shown as they are.
 */

/**
 * @typedef {{ key: string, source: string, detail: string|null, reason?: string, count?: number, lastAt?: number, title: string, hint: string }} LikelyCause
 * @typedef {{ deviceId: string, site: string, kind: string, model: string, code: string|null, claimedBy: string,
 *   state: 'registered'|'seen'|'test-received'|'commissioned', registeredAt: number, connectedAt: number|null, seenAt: number|null,
 *   testReceivedAt: number|null, commissionedAt: number|null, commissionedBy: string|null, overdue: boolean,
 *   likelyCauses: LikelyCause[] }} CommissioningView
 * @typedef {import('./i18n.js').I18n} I18n
 */

/** The device's topics: it publishes to event and status, and subscribes to cmd and reply. @param {Pick<CommissioningView, 'site'|'kind'|'deviceId'>} view */
export function topicsOf(view) {
  const prefix = `v1/${view.site}/${view.kind}/${view.deviceId}`;
  return { prefix, event: `${prefix}/event`, status: `${prefix}/status`, cmd: `${prefix}/cmd`, reply: `${prefix}/reply` };
}

/**
 * @param {I18n} i18n
 * @param {Pick<LikelyCause, 'key'|'source'|'detail'|'reason'>} cause
 * @param {Pick<CommissioningView, 'site'|'kind'|'deviceId'>} view
 * @returns {{ title: string, hint: string }}
 */
export function wordCause(i18n, cause, view) {
  const topics = topicsOf(view);
  const detail = cause.detail ?? '';
  switch (cause.key) {
    case 'wrong_secret':
      return { title: i18n.t('install.cause.wrongSecret.title'), hint: i18n.t('install.cause.wrongSecret.hint') };
    case 'client_id_mismatch':
      return { title: i18n.t('install.cause.clientId.title'), hint: i18n.t('install.cause.clientId.hint', { deviceId: view.deviceId, detail }) };
    case 'refused_before_claim':
      return { title: i18n.t('install.cause.beforeClaim.title'), hint: i18n.t('install.cause.beforeClaim.hint') };
    case 'unknown_device':
      return { title: i18n.t('install.cause.unknownDevice.title'), hint: i18n.t('install.cause.unknownDevice.hint', { deviceId: view.deviceId }) };
    case 'missing_credentials':
      return { title: i18n.t('install.cause.noCredentials.title'), hint: i18n.t('install.cause.noCredentials.hint', { deviceId: view.deviceId }) };
    case 'device_disabled':
      return { title: i18n.t('install.cause.disabled.title'), hint: i18n.t('install.cause.disabled.hint') };
    case 'will_topic_not_allowed':
      return { title: i18n.t('install.cause.willTopic.title', { detail }), hint: i18n.t('install.cause.willTopic.hint', { status: topics.status }) };
    case 'acl_publish':
      return { title: i18n.t('install.cause.wrongTopic.title', { detail }), hint: i18n.t('install.cause.wrongTopic.hint', { event: topics.event, status: topics.status }) };
    case 'acl_subscribe':
      return { title: i18n.t('install.cause.wrongSubscribe.title', { detail }), hint: i18n.t('install.cause.wrongSubscribe.hint', { cmd: topics.cmd, reply: topics.reply }) };
    case 'verification_error':
      return { title: i18n.t('install.cause.verification.title'), hint: i18n.t('install.cause.verification.hint') };
    case 'rejected':
      return {
        title: i18n.t('install.cause.rejected.title', { reason: rejectionReason(i18n, cause.reason ?? '') }),
        hint: i18n.t('install.cause.rejected.hint', { detail, reply: topics.reply }),
      };
    case 'silent':
      return { title: i18n.t('install.cause.silent.title'), hint: i18n.t('install.cause.silent.hint') };
    case 'connected-silent':
      return { title: i18n.t('install.cause.connectedSilent.title'), hint: i18n.t('install.cause.connectedSilent.hint', { event: topics.event, status: topics.status }) };
    default:
      return { title: i18n.t('install.cause.other.title', { reason: cause.source, detail }), hint: i18n.t('install.cause.other.hint') };
  }
}

/** Why a payload was refused (ingest's reasons), in words. @param {I18n} i18n @param {string} reason */
function rejectionReason(i18n, reason) {
  switch (reason) {
    case 'oversize':
      return i18n.t('install.rejected.oversize');
    case 'malformed':
      return i18n.t('install.rejected.malformed');
    case 'schema':
      return i18n.t('install.rejected.schema');
    case 'timestamp':
      return i18n.t('install.rejected.timestamp');
    case 'unknown_model':
      return i18n.t('install.rejected.unknownModel');
    case 'codec_error':
      return i18n.t('install.rejected.codecError');
    default:
      return reason;
  }
}

/** What the installer does to make a device of this kind send its test (docs/pairing.md, Commissioning). @param {I18n} i18n @param {string} kind */
export function testHint(i18n, kind) {
  switch (kind) {
    case 'fire':
      return i18n.t('install.test.fire');
    case 'camera':
      return i18n.t('install.test.camera');
    case 'lock':
      return i18n.t('install.test.lock');
    case 'ebike-station':
      return i18n.t('install.test.ebike');
    case 'team':
      return i18n.t('install.test.team');
    default:
      return i18n.t('install.test.other');
  }
}
