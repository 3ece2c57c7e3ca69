// Locks in the page. RedLock: a lock service on independent masters, drawn from what
// the core says about it: the key's time to live as a ring on each master, the crown
// on whoever believes it holds the lock, and the moment two do. Redis with Sentinel:
// the seed's LockManager, two holders on two masters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openPreset, waitForState, seek, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

const open = (viewport, preset) => openPreset(lab, preset, viewport);

test('redlock gc pause: the paused holder keeps its crown while C2 takes the lock', async () => {
  const page = await open({ width: 1366, height: 768 }, 'redlock-gc-pause');
  const start = await waitForState(page, (s) => s.system === 'redlock');
  assert.equal(start.roles.M1, 'master');
  assert.match(await page.locator('.legend').textContent(), /client holding the lock/);
  // C1 holds the lock when it is paused at 5 s: each master counts the key down.
  const held = await seek(page, 8000);
  assert.equal(held.roles.C1, 'lock holder');
  assert.equal(held.roles.C2, 'client');
  const rings = await page.locator('g.gauge').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label')));
  assert.equal(rings.filter((r) => /lock key's time to live, by this server's clock/.test(r)).length, 5, rings.join(' | '));
  // The keys expire about 10 s after C1 took them; C2 takes the lock while C1 sleeps.
  const twice = await seek(page, 14200);
  assert.equal(twice.roles.C1, 'lock holder', 'the paused client still believes it holds the lock');
  assert.equal(twice.roles.C2, 'lock holder');
  assert.equal(await page.locator('svg.canvas .crown:not(.stale)').count(), 2, 'two crowns');
  assert.ok(await page.locator('button.marker.lock-twice').count() > 0, 'the moment is on the timeline');
  await page.screenshot({ path: path.join(shots, 'redlock-held-twice.png') });
  // The ending, on request: both wrote, and the stale write was accepted.
  await page.locator('section.outcome button.reveal').click();
  const outcome = await page.locator('section.outcome').textContent();
  assert.match(outcome, /lock held twice\s*1\s*2/, outcome);
  assert.match(outcome, /stale writes accepted\s*0\s*1/, outcome);
  assert.doesNotMatch(outcome, /new lock holders/, 'a lock service elects nobody');
  await page.close();
});

test('redlock clock jump on a phone: two holders, readable at 390 px', async () => {
  const page = await open({ width: 390, height: 844 }, 'redlock-clock-jump');
  const s = await seek(page, 3600);
  assert.equal(s.roles.C1, 'lock holder');
  assert.equal(s.roles.C2, 'lock holder');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
  const m3 = await page.locator('g.gauge').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label')));
  assert.ok(m3.length >= 4, 'the masters still holding a key show its ring');
  await page.screenshot({ path: path.join(shots, 'redlock-phone.png') });
  await page.close();
});

test('a person steps a master\'s clock from the process panel: its key expires early', async () => {
  const page = await open({ width: 1366, height: 768 }, 'redlock-majority');
  // At 2 s a client holds the lock on every master; step M1's clock 10 s forward.
  const before = await seek(page, 2000);
  assert.ok(Object.values(before.roles).includes('lock holder'), JSON.stringify(before.roles));
  await page.click('g.proc[data-proc="M1"]');
  const panel = page.locator('section.panel.proc');
  assert.equal(await page.locator('section.panel.proc button', { hasText: 'Clock +10 s' }).count(), 1);
  await panel.locator('button', { hasText: 'Clock +10 s' }).click();
  await waitForState(page, (s) => !s.computing, 30000);
  await seek(page, 2300);
  const log = await page.locator('.log').textContent();
  assert.match(log, /M1 lock key of C\d expires by this server's clock, \d+ ms early/, log);
  // A client is not a Redis master: the panel of the storage offers no clock step.
  await page.click('g.proc[data-proc="DB"]');
  assert.equal(await page.locator('section.panel.proc button', { hasText: 'Clock +10 s' }).count(), 0);
  await page.close();
});

test("sentinel lock split-brain: each side's master grants the lock, both clients hold it", async () => {
  const page = await open({ width: 1366, height: 768 }, 'sentinel-lock-split-brain');
  const s = await seek(page, 25000);
  assert.equal(s.roles.C1, 'lock holder');
  assert.equal(s.roles.C2, 'lock holder');
  assert.equal(s.roles.R1, 'master');
  assert.ok(await page.locator('button.marker.lock-twice').count() > 0, 'the moment is on the timeline');
  const banner = await page.locator('.banner').textContent();
  assert.match(banner, /M1 \((\d+) writes? taken/, banner);
  assert.doesNotMatch(banner, /M1 \(0 writes/, 'the lock SETs are writes the old master takes');
  await page.screenshot({ path: path.join(shots, 'sentinel-lock.png') });
  await page.close();
});
