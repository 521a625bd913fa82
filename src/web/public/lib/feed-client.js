// @ts-check
/**
 * The page's end of `/ws` (docs/wall.md): reconnects by itself with backoff
 * and resumes where it was (`?epoch=…&since=…`), so a network blip costs the
 * missed batches, not a reload. A gap in the sequence (which should not
 * happen) is healed by asking for a fresh snapshot.
 */

/** @typedef {'connecting'|'live'|'lost'} FeedState */

const SESSION_ENDED = 4401;

export class FeedClient {
  /**
   * @param {{ path?: string, onSnapshot: (m: any) => void, onBatch: (m: any) => void, onState: (s: FeedState, detail: { retryInMs?: number, since?: number }) => void, onUnauthorized: () => void }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {string|undefined} */
    this.epoch = undefined;
    this.seq = 0;
    /** @type {WebSocket|undefined} */
    this.ws = undefined;
    this.failures = 0;
    /** @type {FeedState} */
    this.state = 'connecting';
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    this.stats = { snapshots: 0, resumes: 0, batches: 0, gaps: 0, connects: 0 };
  }

  connect() {
    clearTimeout(this.timer);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = this.epoch ? `?epoch=${encodeURIComponent(this.epoch)}&since=${this.seq}` : '';
    const ws = new WebSocket(`${scheme}://${location.host}${this.options.path ?? '/ws'}${query}`);
    this.ws = ws;
    this.stats.connects += 1;
    let opened = false;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (event) => {
      /** @type {any} */
      let message;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      this.receive(message, ws);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      // The feed closes with 4401 when the session behind the page has ended: log in again.
      if (event.code === SESSION_ENDED) {
        this.options.onUnauthorized();
        return;
      }
      this.failures = opened ? 1 : this.failures + 1;
      const retryInMs = Math.min(10_000, 500 * 2 ** Math.min(this.failures - 1, 5)) + Math.floor(Math.random() * 250);
      this.setState(this.epoch ? 'lost' : 'connecting', { retryInMs });
      if (this.failures >= 3 && this.failures % 3 === 0) void this.checkSession();
      this.timer = setTimeout(() => this.connect(), retryInMs);
    };
  }

  /** @param {any} message @param {WebSocket} ws */
  receive(message, ws) {
    if (message.type === 'snapshot') {
      this.epoch = message.epoch;
      this.seq = message.seq;
      this.stats.snapshots += 1;
      this.failures = 0;
      this.options.onSnapshot(message);
      this.setState('live', {});
    } else if (message.type === 'resume') {
      this.stats.resumes += 1;
      this.failures = 0;
      this.setState('live', { since: message.since });
    } else if (message.type === 'batch') {
      if (message.epoch !== this.epoch || message.seq !== this.seq + 1) {
        // Out of step: start again from a snapshot rather than show a wrong picture.
        this.stats.gaps += 1;
        this.epoch = undefined;
        ws.close();
        return;
      }
      this.seq = message.seq;
      this.stats.batches += 1;
      this.options.onBatch(message);
    }
  }

  /** A feed that keeps refusing may mean the session ended: the API says so plainly, then it is the login page. */
  async checkSession() {
    try {
      const response = await fetch('/api/site', { credentials: 'same-origin' });
      if (response.status === 401) this.options.onUnauthorized();
    } catch {
      // The network is down: keep retrying.
    }
  }

  /** @param {FeedState} state @param {{ retryInMs?: number, since?: number }} detail */
  setState(state, detail) {
    this.state = state;
    this.options.onState(state, detail);
  }
}
