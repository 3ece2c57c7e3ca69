// etcd/Raft in the page: the same lab, another system, drawn from what the core's
// registry says (kinds, legend, settings) and from its events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openPreset, waitForState, seek, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

const open = (viewport) => openPreset(lab, 'raft-minority-leader', viewport);


test('raft minority leader: the majority elects a new leader, the old one commits nothing', async () => {
  const page = await open({ width: 1366, height: 768 });
  const start = await waitForState(page, (s) => s.system === 'etcd-raft');
  assert.equal(start.roles.N1, 'leader');
  // The legend and the settings come from the system's description.
  assert.match(await page.locator('.legend').textContent(), /follower/);
  assert.match(await page.locator('.settings').textContent(), /--election-timeout/);
  assert.ok(await page.locator('button[aria-label="Add an etcd member to box1"]').count() === 1);
  // Each member draws its log, coloured by term, with its commit index.
  assert.ok(await page.locator('g.log-strip').count() >= 5);
  const s = await seek(page, 14000);
  assert.notEqual(s.islands.box1, s.islands.box3, 'box1 and box2 are cut off');
  assert.ok(['N3', 'N4', 'N5'].some((n) => s.roles[n] === 'leader'), 'the majority side has a leader');
  assert.equal(s.split_brain, false, 'a minority leader is not split-brain: it cannot commit');
  assert.equal(s.end.acked_writes_lost, 0);
  assert.ok(s.end.new_leaders >= 1);
  await page.screenshot({ path: path.join(shots, 'raft-minority-leader.png') });
  // A marker for the CheckQuorum step-down is on the timeline.
  assert.ok(await page.locator('button.marker.alert').count() > 0);
  await page.close();
});

test('raft on a phone: the lab fits 390 px and the log strips are drawn', async () => {
  const page = await open({ width: 390, height: 844 });
  await seek(page, 12000);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
  assert.ok(await page.locator('g.log-strip').count() >= 5);
  // The drawing fills the width, comes first below the title, and its labels read.
  const d = await page.evaluate(() => {
    const svg = document.querySelector('svg.canvas');
    const r = svg.getBoundingClientRect();
    const scale = r.width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    const controls = document.querySelector('section.controls').getBoundingClientRect();
    return { width: r.width, top: r.top, smallest: Math.min(...sizes), controlsTop: controls.top };
  });
  assert.ok(d.width >= 340, `the drawing is ${d.width} px wide`);
  assert.ok(d.top < d.controlsTop && d.top < 200, `the drawing starts at ${d.top} px, before the controls`);
  assert.ok(d.smallest >= 11, `the smallest label is ${d.smallest.toFixed(1)} px`);
  await page.screenshot({ path: path.join(shots, 'raft-phone.png') });
  await page.close();
});

test('a slow disk from the process panel: the leader loses its leadership', async () => {
  const page = await lab.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(`${lab.server.url}?preset=raft-prevote`);
  await page.waitForSelector('svg.canvas g.box');
  await waitForState(page, (s) => !s.computing, 30000);
  await page.click('g.proc[data-proc="N1"]');
  await page.click('text=Slow disk (2 s syncs)');
  await waitForState(page, (s) => s.message === null && !s.computing, 30000);
  await page.selectOption('select[aria-label="Speed"]', { label: '10× real time' });
  await page.click('button.play');
  const s = await waitForState(page, (s) => s.leaders_so_far >= 1, 20000);
  assert.ok(s.now_ms < 10000, `another member leads before the scenario's own cut (${s.now_ms} ms)`);
  // N1 learns of the new term only once its slow sync lets it handle messages again.
  const later = await waitForState(page, (s) => s.roles.N1 !== 'leader', 20000);
  await page.click('button.play');
  assert.ok(later.now_ms < 10000, `N1 follows before the cut (${later.now_ms} ms)`);
  await page.close();
});

test('on a touch phone a finger scrolls past the drawing, and drags a box to a new partition', async () => {
  const ctx = await lab.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await ctx.newPage();
  await page.goto(`${lab.server.url}?preset=raft-minority-leader`);
  await page.waitForSelector('svg.canvas g.box');
  await waitForState(page, (s) => !s.computing, 30000);
  const cdp = await ctx.newCDPSession(page);
  const swipe = async (x0, y0, x1, y1) => {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y: y0 }] });
    for (let i = 1; i <= 10; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + (x1 - x0) * i / 10, y: y0 + (y1 - y0) * i / 10 }] });
      await page.waitForTimeout(16);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForTimeout(200);
  };
  // A swipe up on the partition's background scrolls the page.
  const part = await page.locator('g.island rect').first().boundingBox();
  await swipe(part.x + part.width - 6, part.y + part.height - 10, part.x + part.width - 6, part.y + part.height - 210);
  assert.ok(await page.evaluate(() => window.scrollY) > 150, 'the page scrolled');
  await page.evaluate(() => window.scrollTo(0, 0));
  // A finger on box2 drags it to the new-partition zone.
  const from = await page.locator('g.box[data-box="box2"] rect.box-frame').boundingBox();
  const to = await page.locator('g.new-zone rect').boundingBox();
  await swipe(from.x + 40, from.y + 10, to.x + to.width / 2, to.y + to.height / 2);
  const s = await waitForState(page, (s) => s.islands.box2 !== s.islands.box1);
  assert.notEqual(s.islands.box2, s.islands.box3);
  // The log words it as the drawing shows it, without the network's island numbers.
  await page.locator('section.log', { hasText: 'cut box2 off into a partition of its own' }).waitFor();
  await ctx.close();
});
