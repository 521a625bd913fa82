// @ts-check
/**
 * The patrol team's order as `GET /api/teams/mine/order` gives it (docs/team-page.md), and what
 * the phone page derives from it: which actions the order's state allows, the clock against the
 * arrival target since the alarm, and the part of the map worth showing. No DOM here.
 */

/**
 * @typedef {{ id: number, title: string, severity: 'red'|'orange'|'blue'|'green', kind: string, place: string|null, zone: string|null,
 *   lon: number|null, lat: number|null, ruleId: string, key: string, deviceId: string, status: string, openedAt: number,
 *   dispatchedAt: number|null, acceptedAt: number|null, arrivedAt: number|null, responseSeconds: number|null,
 *   targetAtRisk: boolean, brigadeNotified: boolean }} OrderIncident
 */
/**
 * @typedef {{ orderId: number, status: 'sent'|'accepted'|'arrived', sentAt: number, ackDeadline: number, answeredAt: number|null,
 *   etaSeconds: number, distanceM: number, route: [number, number][], acceptWithinSeconds: number, reason: string, issuedAt: number,
 *   incident: OrderIncident }} TeamOrder
 */
/**
 * @typedef {{ id: string, name: string, status: string, reportedStatus: string, lon: number|null, lat: number|null,
 *   speedKmh: number|null, lastSeenAt: number|null, incidentId: number|null }} TeamLive
 */
/** @typedef {{ targetSeconds: number, teamStaleAfterMs: number, ackWindowSeconds: number }} TeamSettings */
/** @typedef {{ team: TeamLive|null, order: TeamOrder|null, settings: TeamSettings, serverTime: number }} TeamOrderView */
/** @typedef {'accept'|'arrived'|'resolve'} TeamAction */

/**
 * What the crew can do now: accept a sent order; once accepted, report arrival (the tracker may
 * see it first) and resolve; on site, resolve.
 * @param {TeamOrder|null} order
 * @returns {Record<TeamAction, boolean>}
 */
export function allowedActions(order) {
  const status = order?.status;
  return {
    accept: status === 'sent',
    arrived: status === 'accepted',
    resolve: status === 'accepted' || status === 'arrived',
  };
}

/**
 * The incident's clock against the target: running down from the alarm, `late` past it, and
 * stopped at the response time once a team is on site (`met` or `missed`).
 * @param {OrderIncident} incident
 * @param {number} targetSeconds
 * @param {number} now gateway time, epoch ms
 * @returns {{ state: 'running'|'late'|'met'|'missed', elapsed: number, remaining: number, share: number }}
 */
export function targetClock(incident, targetSeconds, now) {
  const stopped = incident.arrivedAt !== null;
  const elapsed = Math.max(0, ((stopped ? /** @type {number} */ (incident.arrivedAt) : now) - incident.openedAt) / 1000);
  const late = elapsed > targetSeconds;
  return {
    state: stopped ? (late ? 'missed' : 'met') : late ? 'late' : 'running',
    elapsed,
    remaining: targetSeconds - elapsed,
    share: Math.min(1, elapsed / targetSeconds),
  };
}

/**
 * Seconds until the team is due on site by the order's ETA (negative once past it).
 * @param {TeamOrder} order @param {number} now
 */
export function etaLeft(order, now) {
  return (order.sentAt + order.etaSeconds * 1000 - now) / 1000;
}

/** Metres per degree of latitude; good enough to pad a village-sized box. */
const M_PER_DEG = 111_320;

/**
 * The box the phone's map frames: the route, the incident and the team, padded, at least
 * `minSpanM` across so a team next door still shows the streets around it. Null when there is
 * nothing to frame (the whole site is shown then).
 * @param {TeamOrder|null} order
 * @param {TeamLive|null} team
 * @param {number} [minSpanM]
 * @returns {[number, number, number, number]|null} [west, south, east, north]
 */
export function focusBox(order, team, minSpanM = 400) {
  /** @type {[number, number][]} */
  const points = [];
  if (order) {
    points.push(...order.route);
    if (order.incident.lon !== null && order.incident.lat !== null) points.push([order.incident.lon, order.incident.lat]);
  }
  if (team && team.lon !== null && team.lat !== null) points.push([team.lon, team.lat]);
  if (points.length === 0) return null;
  let [w, s] = points[0];
  let [e, n] = points[0];
  for (const [lon, lat] of points) {
    w = Math.min(w, lon);
    e = Math.max(e, lon);
    s = Math.min(s, lat);
    n = Math.max(n, lat);
  }
  const kx = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const minLat = minSpanM / M_PER_DEG;
  const minLon = minSpanM / (M_PER_DEG * kx);
  const padLat = Math.max((n - s) * 0.15, (minLat - (n - s)) / 2, 0);
  const padLon = Math.max((e - w) * 0.15, (minLon - (e - w)) / 2, 0);
  // Labels (incident number, place and team names) are drawn to the right of their point: room for them.
  const labels = Math.max(e - w, minLon) * 0.2;
  return [w - padLon, s - padLat, e + padLon + labels, n + padLat];
}

/**
 * The gateway clock as seen from this phone: the offset between the gateway's `serverTime` and
 * the middle of the request that fetched it. A phone's own clock may be minutes off.
 * @param {number} serverTime @param {number} sentAt @param {number} receivedAt
 */
export function clockOffset(serverTime, sentAt, receivedAt) {
  return serverTime - (sentAt + receivedAt) / 2;
}
