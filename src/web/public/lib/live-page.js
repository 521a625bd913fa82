// @ts-check
/**
 * What the live pages (the operators' wall, the brigade console) share: the
 * site map from `/api/site` (read again when the feed says the site changed),
 * the `/ws` feed into the page's state, and the connection badge with its
 * "connection lost" banner. The page says what else needs new words.
 */
import { FeedClient } from './feed-client.js';
import { toLogin } from './session.js';

/**
 * @param {object} options
 * @param {import('./i18n.js').I18n} options.i18n
 * @param {import('./map-view.js').MapView} options.map
 * @param {import('./wall-state.js').WallState} options.state
 * @param {{ conn: HTMLElement, lost: HTMLElement, lostDetail: HTMLElement }} options.elements
 * @param {() => void} options.reword the page's own words and redraws after a language switch or a new time zone
 * @returns {{ feed: FeedClient, everything: () => void }} `everything()` rewords the whole page
 */
export function connectLivePage({ i18n, map, state, elements, reword }) {
  const { conn, lost, lostDetail } = elements;
  let lastLive = 0;
  /** @type {import('./feed-client.js').FeedState} */
  let feedState = 'connecting';
  const everything = () => {
    i18n.apply(document);
    conn.textContent = i18n.t(`conn.${feedState}`);
    reword();
  };
  const loadSite = async () => {
    try {
      const response = await fetch('/api/site', { credentials: 'same-origin' });
      if (response.status === 401) return toLogin();
      if (!response.ok) return;
      const site = await response.json();
      i18n.setTimeZone(site.timeZone);
      map.setSite(site);
      everything();
    } catch {
      setTimeout(loadSite, 5000);
    }
  };
  void loadSite();

  const feed = new FeedClient({
    onSnapshot: (message) => {
      state.applySnapshot(message);
      map.fitDevices(state);
    },
    onBatch: (message) => {
      state.applyBatch(message);
      lastLive = Date.now();
      if (message.siteChanged) void loadSite();
    },
    onState: (next, detail) => {
      feedState = next;
      if (next === 'live') lastLive = Date.now();
      conn.dataset.state = next;
      conn.textContent = i18n.t(`conn.${next}`);
      document.body.classList.toggle('feed-lost', next === 'lost');
      lost.hidden = next !== 'lost';
      if (next === 'lost') {
        lostDetail.textContent = i18n.t('conn.lostDetail', { time: lastLive ? i18n.time(lastLive) : i18n.t('conn.never'), seconds: Math.ceil((detail.retryInMs ?? 0) / 1000) });
      }
    },
    onUnauthorized: toLogin,
  });
  feed.connect();
  return { feed, everything };
}
