import t from 'tap';
import {
  cameraEvent, defaultRules, fireAlarm, fireEvent, firedBy, MINUTE, SECOND, START, swipe, tagRead, village,
} from './fixture.js';

const rules = await defaultRules();
const covered = new Set<string>();

/** The last overload of t.test is `(cb)`, so this is the subtest callback's type. */
type Subtest = Parameters<typeof t.test>[0];

/** One subtest per default rule; the last test checks none was left out. */
function rule(ruleId: string, body: Subtest): void {
  covered.add(ruleId);
  t.test(ruleId, body);
}

rule('fire-alarm', async (t) => {
  t.test('one detector alarming: orange, a team dispatched to verify, one incident per place', async (t) => {
    const v = village(rules);
    const [first] = firedBy(v.send(0, fireAlarm('fd-1', 'Factory 12')), 'fire-alarm');
    t.match(first, {
      severity: 'orange',
      key: 'fire-alarm:place:Factory 12',
      title: 'Fire alarm at Factory 12',
      actions: { dispatch: { reason: 'verify fire alarm from fd-1 at Factory 12' } },
      event: { deviceId: 'fd-1' },
      evidence: { deviceIds: ['fd-1'] },
    });
    t.notOk(first?.actions.notifyBrigade, 'orange does not call the brigade');
    const [second] = firedBy(v.send(10 * MINUTE, fireAlarm('fd-2', 'Factory 12')), 'fire-alarm');
    t.equal(second?.key, first?.key, 'another detector in the place updates the same incident');
  });

  t.test('a detector without a place is keyed by itself', async (t) => {
    const v = village(rules);
    t.equal(firedBy(v.send(0, fireAlarm('fd-9', undefined)), 'fire-alarm')[0]?.key, 'fire-alarm:device:fd-9');
  });

  t.test('near misses: test, fault, restore, and an alarm reporting its end', async (t) => {
    const v = village(rules);
    t.same(v.send(0, fireEvent('fd-1', 'test', 'Factory 12', { sensor: 'smoke' })), []);
    t.same(v.send(1, fireEvent('fd-1', 'fault', 'Factory 12', { fault_code: 'E3' })), []);
    t.same(v.send(2, fireEvent('fd-1', 'restore', 'Factory 12')), []);
    t.same(v.send(3, fireEvent('fd-1', 'alarm', 'Factory 12', { sensor: 'smoke', active: false })), []);
  });
});

rule('fire-confirmed', async (t) => {
  t.test('a second different detector in the same place within 2 min: red, brigade, dispatch', async (t) => {
    const v = village(rules);
    t.same(firedBy(v.send(0, fireAlarm('fd-1', 'Factory 12')), 'fire-confirmed'), [], 'one detector is not confirmation');
    const [red] = firedBy(v.send(2 * MINUTE, fireAlarm('fd-2', 'Factory 12')), 'fire-confirmed');
    t.match(red, {
      severity: 'red',
      key: 'fire-confirmed:place:Factory 12',
      title: 'Confirmed fire at Factory 12',
      actions: { notifyBrigade: true, dispatch: { reason: 'confirmed fire at Factory 12' } },
      event: { deviceId: 'fd-2' },
    });
    t.same(red?.evidence.deviceIds, ['fd-1', 'fd-2'], 'both detectors are the evidence');
    t.equal(red?.evidence.events.length, 2);
  });

  t.test('a heat-sensor alarm alone is red', async (t) => {
    const v = village(rules);
    const [red] = firedBy(v.send(0, fireAlarm('fd-3', 'Home 4', 'heat')), 'fire-confirmed');
    t.match(red, { severity: 'red', key: 'fire-confirmed:place:Home 4', actions: { notifyBrigade: true, dispatch: {} } });
    t.match(red?.summary, /heat/);
  });

  t.test('near miss: two detectors 2 min 1 s apart', async (t) => {
    const v = village(rules);
    v.send(0, fireAlarm('fd-1', 'Factory 12'));
    t.same(firedBy(v.send(2 * MINUTE + SECOND, fireAlarm('fd-2', 'Factory 12')), 'fire-confirmed'), []);
  });

  t.test('near miss: the same detector twice', async (t) => {
    const v = village(rules);
    v.send(0, fireAlarm('fd-1', 'Factory 12'));
    t.same(firedBy(v.send(30 * SECOND, fireAlarm('fd-1', 'Factory 12')), 'fire-confirmed'), []);
  });

  t.test('near miss: two detectors in different places', async (t) => {
    const v = village(rules);
    v.send(0, fireAlarm('fd-1', 'Factory 12'));
    t.same(firedBy(v.send(10 * SECOND, fireAlarm('fd-2', 'Factory 13')), 'fire-confirmed'), []);
  });

  t.test('near miss: two detectors without a place do not confirm each other', async (t) => {
    const v = village(rules);
    v.send(0, fireAlarm('fd-1', undefined));
    t.same(firedBy(v.send(10 * SECOND, fireAlarm('fd-2', undefined)), 'fire-confirmed'), []);
  });
});

rule('fire-detector-silent', async (t) => {
  const beat = (id: string, model?: string) => ({ ...fireEvent(id, 'heartbeat', 'Factory 12'), ...(model && { model }) });

  t.test('heartbeats on time (every 5 min for an hour): nothing', async (t) => {
    const v = village(rules);
    const fired = [];
    for (let m = 0; m <= 60; m += 5) {
      v.send(m * MINUTE, beat('fd-1'));
      fired.push(...v.tickThrough(m * MINUTE, (m + 5) * MINUTE - SECOND));
    }
    t.same(firedBy(fired, 'fire-detector-silent'), []);
  });

  t.test('silent for 2 heartbeat periods: blue, once', async (t) => {
    const v = village(rules);
    v.send(0, beat('fd-1'));
    t.same(v.tickThrough(0, 10 * MINUTE - SECOND), [], 'not at 9 min 59 s');
    const [blue] = firedBy(v.tick(10 * MINUTE), 'fire-detector-silent');
    t.match(blue, {
      severity: 'blue',
      key: 'fire-detector-silent:device:fd-1',
      title: 'Fire detector fd-1 silent at Factory 12',
      actions: {},
      evidence: { deviceIds: ['fd-1'], since: blue?.event.time },
    });
    t.same(v.tickThrough(10 * MINUTE, 30 * MINUTE), [], 'reported once per silence');
    v.send(31 * MINUTE, beat('fd-1'));
    t.equal(firedBy(v.tick(41 * MINUTE), 'fire-detector-silent').length, 1, 'heard again, then silent again: reported again');
  });

  t.test('any sign of life resets the silence, the Last Will does not', async (t) => {
    const v = village(rules);
    v.send(0, beat('fd-1'));
    v.send(8 * MINUTE, fireEvent('fd-1', 'battery', 'Factory 12', { battery_pct: 18 }));
    v.send(9 * MINUTE + 30 * SECOND, fireEvent('fd-1', 'offline', 'Factory 12'));
    t.same(v.tickThrough(9 * MINUTE + 30 * SECOND, 18 * MINUTE - SECOND), [], 'the battery report at 8 min was a sign of life');
    t.equal(firedBy(v.tick(18 * MINUTE), 'fire-detector-silent').length, 1, 'silent since 8 min: the offline notice is no sign of life');
  });

  t.test('the period comes from the model', async (t) => {
    const v = village(rules);
    v.send(0, beat('fd-slow', 'slow-detector'));
    t.same(v.tick(119 * MINUTE), []);
    t.equal(firedBy(v.tick(120 * MINUTE), 'fire-detector-silent').length, 1);
  });

  t.test('after a restart: a detector known to the registry that never comes back is reported', async (t) => {
    const v = village(rules);
    // The gateway starts at 0 and primes the engine with the registry's devices (RuleRunner.watchKnownDevices).
    v.engine.watchForSilence({ ...fireEvent('fd-gone', 'last-heard', 'Factory 12'), time: START });
    v.engine.watchForSilence({ ...fireEvent('fd-back', 'last-heard', 'Factory 12'), time: START });
    v.send(4 * MINUTE, beat('fd-back'));
    t.same(v.tickThrough(0, 10 * MINUTE - SECOND), [], 'silence counts from the start, not from before the restart');
    const fired = firedBy(v.tick(10 * MINUTE), 'fire-detector-silent');
    t.same(fired.map((a) => a.event.deviceId), ['fd-gone'], 'only the one that never came back');
    t.equal(firedBy(v.tick(14 * MINUTE), 'fire-detector-silent').length, 1, 'the other is judged from its own heartbeat');
  });

  t.test('priming never fires other rules and never postpones a fresher clock', async (t) => {
    const v = village(rules);
    v.send(0, beat('fd-1'));
    v.engine.watchForSilence({ ...fireEvent('fd-1', 'last-heard', 'Factory 12'), time: START + 5 * MINUTE });
    t.equal(firedBy(v.tick(10 * MINUTE), 'fire-detector-silent').length, 1, 'still silent since the heartbeat at 0');
    const primedCamera = village(rules);
    primedCamera.engine.watchForSilence({ ...cameraEvent('cam-1', 'last-heard', 'Grid 3'), time: START });
    t.same(primedCamera.tickThrough(0, 60 * MINUTE), [], 'cameras have no absence rule: nothing');
  });
});

rule('camera-offline', async (t) => {
  t.test('offline for 5 min: blue, once', async (t) => {
    const v = village(rules);
    t.same(firedBy(v.send(0, cameraEvent('cam-1', 'offline', 'North gate')), 'camera-offline'), []);
    t.same(v.tickThrough(0, 5 * MINUTE - SECOND), []);
    const [blue] = firedBy(v.tick(5 * MINUTE), 'camera-offline');
    t.match(blue, {
      severity: 'blue',
      key: 'camera-offline:device:cam-1',
      title: 'Camera cam-1 offline for 5m at Lane cam-1',
      evidence: { since: blue?.event.time, deviceIds: ['cam-1'] },
    });
    v.send(6 * MINUTE, cameraEvent('cam-1', 'offline', 'North gate'));
    t.same(v.tickThrough(5 * MINUTE, 20 * MINUTE), [], 'a repeated offline does not restart or repeat it');
  });

  t.test('near miss: offline 4 min 59 s, then back online', async (t) => {
    const v = village(rules);
    v.send(0, cameraEvent('cam-1', 'offline', 'North gate'));
    v.tickThrough(0, 4 * MINUTE + 58 * SECOND);
    v.send(4 * MINUTE + 59 * SECOND, cameraEvent('cam-1', 'online', 'North gate'));
    t.same(v.tickThrough(4 * MINUTE + 59 * SECOND, 15 * MINUTE), []);
  });

  t.test('another camera coming online does not clear it', async (t) => {
    const v = village(rules);
    v.send(0, cameraEvent('cam-1', 'offline', 'North gate'));
    v.send(MINUTE, cameraEvent('cam-2', 'online', 'North gate'));
    t.equal(firedBy(v.tick(5 * MINUTE), 'camera-offline').length, 1);
  });
});

rule('camera-tamper', async (t) => {
  t.test('tamper and video loss: orange per camera', async (t) => {
    const v = village(rules);
    const [tamper] = firedBy(v.send(0, cameraEvent('cam-1', 'tamper', 'North gate', { active: true })), 'camera-tamper');
    t.match(tamper, { severity: 'orange', key: 'camera-tamper:device:cam-1', title: 'Camera cam-1 tamper at Lane cam-1', actions: {} });
    const [loss] = firedBy(v.send(SECOND, cameraEvent('cam-2', 'video_loss', 'North gate', { active: true })), 'camera-tamper');
    t.match(loss, { severity: 'orange', key: 'camera-tamper:device:cam-2' });
  });

  t.test('near misses: the tamper ending, a health report, motion', async (t) => {
    const v = village(rules);
    t.same(v.send(0, cameraEvent('cam-1', 'tamper', 'North gate', { active: false })), []);
    t.same(v.send(1, cameraEvent('cam-1', 'health', 'North gate', { fps: 25, tamper: false })), []);
    t.same(v.send(2, cameraEvent('cam-1', 'motion', 'North gate', { active: true })), []);
  });
});

rule('cameras-dark-in-zone', async (t) => {
  t.test('3 cameras dark in one zone within 2 min: red and dispatch', async (t) => {
    const v = village(rules);
    v.send(0, cameraEvent('cam-1', 'offline', 'North gate'));
    v.send(MINUTE, cameraEvent('cam-2', 'video_loss', 'North gate', { active: true }));
    const [red] = firedBy(v.send(2 * MINUTE, cameraEvent('cam-3', 'offline', 'North gate')), 'cameras-dark-in-zone');
    t.match(red, {
      severity: 'red',
      key: 'cameras-dark-in-zone:zone:North gate',
      title: '3 cameras dark in zone North gate',
      actions: { dispatch: { reason: '3 cameras dark in zone North gate: power cut or sabotage' } },
    });
    t.same(red?.evidence.deviceIds, ['cam-1', 'cam-2', 'cam-3']);
  });

  t.test('near miss: 2 cameras dark in a zone', async (t) => {
    const v = village(rules);
    v.send(0, cameraEvent('cam-1', 'offline', 'North gate'));
    t.same(firedBy(v.send(SECOND, cameraEvent('cam-2', 'offline', 'North gate')), 'cameras-dark-in-zone'), []);
  });

  t.test('near miss: one camera dark three times', async (t) => {
    const v = village(rules);
    v.send(0, cameraEvent('cam-1', 'offline', 'North gate'));
    v.send(SECOND, cameraEvent('cam-1', 'video_loss', 'North gate', { active: true }));
    t.same(firedBy(v.send(2 * SECOND, cameraEvent('cam-1', 'offline', 'North gate')), 'cameras-dark-in-zone'), []);
  });

  t.test('near miss: 3 cameras across two zones', async (t) => {
    const v = village(rules);
    v.send(0, cameraEvent('cam-1', 'offline', 'North gate'));
    v.send(SECOND, cameraEvent('cam-2', 'offline', 'North gate'));
    t.same(firedBy(v.send(2 * SECOND, cameraEvent('cam-3', 'offline', 'Market')), 'cameras-dark-in-zone'), []);
  });

  t.test('near miss: 3 cameras over 2 min 1 s', async (t) => {
    const v = village(rules);
    v.send(0, cameraEvent('cam-1', 'offline', 'North gate'));
    v.send(MINUTE, cameraEvent('cam-2', 'offline', 'North gate'));
    t.same(firedBy(v.send(2 * MINUTE + SECOND, cameraEvent('cam-3', 'offline', 'North gate')), 'cameras-dark-in-zone'), []);
  });
});

rule('card-not-registered', async (t) => {
  t.test('a card not registered to the room: orange at that door', async (t) => {
    const v = village(rules);
    const [orange] = firedBy(v.send(0, swipe('lock-101', { card_registered_to_room: false })), 'card-not-registered');
    t.match(orange, { severity: 'orange', key: 'card-not-registered:device:lock-101', title: 'Unregistered card at room R101, Building 7', actions: {} });
  });

  t.test('near misses: a registered card, a swipe the gateway could not check, a blacklisted card', async (t) => {
    const v = village(rules);
    t.same(v.send(0, swipe('lock-101', { card_registered_to_room: true })), []);
    const unchecked = swipe('lock-101', {});
    const { card_registered_to_room: _, ...fields } = unchecked.fields;
    t.same(v.send(1, { ...unchecked, fields }), []);
    const blacklisted = v.send(2, swipe('lock-101', { card_registered_to_room: false, card_blacklisted: true }));
    t.same(blacklisted.map((a) => a.ruleId), ['card-blacklisted'], 'a blacklisted card raises only the red incident');
  });
});

rule('card-blacklisted', async (t) => {
  t.test('a blacklisted card: red and dispatch', async (t) => {
    const v = village(rules);
    const [red] = firedBy(v.send(0, swipe('lock-101', { card_blacklisted: true, result: 'denied' })), 'card-blacklisted');
    t.match(red, {
      severity: 'red',
      key: 'card-blacklisted:device:lock-101',
      actions: { dispatch: { reason: 'blacklisted card swiped at room R101' } },
    });
  });

  t.test('near miss: card_blacklisted false', async (t) => {
    const v = village(rules);
    t.same(v.send(0, swipe('lock-101', { card_blacklisted: false })), []);
  });
});

rule('denied-swipe-burst', async (t) => {
  const denied = (door: string) => swipe(door, { result: 'denied' });

  t.test('5 denied swipes at one door within 60 s: orange on the fifth', async (t) => {
    const v = village(rules);
    for (let i = 0; i < 4; i++) t.same(v.send(i * 15 * SECOND, denied('lock-101')), []);
    const [orange] = firedBy(v.send(60 * SECOND, denied('lock-101')), 'denied-swipe-burst');
    t.match(orange, { severity: 'orange', key: 'denied-swipe-burst:device:lock-101', title: '5 denied swipes at room R101, Building 7' });
    t.equal(orange?.evidence.events.length, 5);
  });

  t.test('near miss: 4 denied swipes in 60 s', async (t) => {
    const v = village(rules);
    const fired = [0, 10, 20, 30].flatMap((s) => v.send(s * SECOND, denied('lock-101')));
    t.same(fired, []);
  });

  t.test('near miss: 5 denied swipes across two doors', async (t) => {
    const v = village(rules);
    const doors = ['lock-101', 'lock-102', 'lock-101', 'lock-102', 'lock-101'];
    t.same(doors.flatMap((door, i) => v.send(i * 5 * SECOND, denied(door))), []);
  });

  t.test('near miss: 5 denied swipes over 61 s', async (t) => {
    const v = village(rules);
    t.same([0, 15, 30, 45, 61].flatMap((s) => v.send(s * SECOND, denied('lock-101'))), []);
  });

  t.test('near miss: granted swipes do not count', async (t) => {
    const v = village(rules);
    const results = ['denied', 'denied', 'granted', 'denied', 'denied'];
    t.same(results.flatMap((result, i) => v.send(i * SECOND, swipe('lock-101', { result }))), []);
  });
});

rule('stolen-tag-seen', async (t) => {
  t.test('a stolen tag read by a station: red, dispatch to that station, one incident per tag', async (t) => {
    const v = village(rules);
    const [red] = firedBy(v.send(0, tagRead('st-7', 'T00ABCDEF', true)), 'stolen-tag-seen');
    t.match(red, {
      severity: 'red',
      key: 'stolen-tag-seen:tag:T00ABCDEF',
      title: 'Stolen e-bike tag T00ABCDEF seen at Station st-7',
      actions: { dispatch: { reason: 'stolen e-bike (tag T00ABCDEF) passing station st-7 at Station st-7' } },
      event: { deviceId: 'st-7', place: 'Station st-7', lon: 113.91, lat: 22.51 },
    });
    const [next] = firedBy(v.send(MINUTE, tagRead('st-8', 'T00ABCDEF', true)), 'stolen-tag-seen');
    t.equal(next?.key, red?.key, 'the next station updates the same incident (the path)');
    t.equal(next?.event.deviceId, 'st-8');
  });

  t.test('near misses: stolen-tag flag false, or not set', async (t) => {
    const v = village(rules);
    t.same(v.send(0, tagRead('st-7', 'T00ABCDEF', false)), []);
    t.same(v.send(1, tagRead('st-7', 'T00ABCDEF', undefined)), []);
  });
});

t.test('every default rule has its own test above', async (t) => {
  t.same(rules.map((r) => r.id).filter((id) => !covered.has(id)), []);
});
