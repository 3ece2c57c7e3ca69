// The first real page: the cluster the core builds, drawn as SVG, and a box dragged
// into another partition with a real mouse, checked against the core's own report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve, launch, labState, waitForState, dragBox, shots } from './harness.mjs';

let server, browser, page;

before(async () => {
  server = await serve();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector('svg.canvas g.box');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page draws the cluster the core built', async () => {
  const s = await labState(page);
  assert.equal(s.preset, 'sentinel-old-master-isolated');
  assert.deepEqual(Object.keys(s.islands).sort(), ['box1', 'box2', 'box3']);
  assert.equal(new Set(Object.values(s.islands)).size, 1, 'all boxes start in one partition');
  assert.equal(await page.locator('svg.canvas g.box').count(), 3);
  assert.equal(await page.locator('g.proc[data-proc="M1"]').getAttribute('data-role'), 'master');
  assert.equal(await page.locator('g.proc[data-proc="S2"]').getAttribute('data-role'), 'sentinel');
});

test('dragging the master box to empty space cuts it into a new partition', async () => {
  await dragBox(page, 'box1', page.locator('g.new-zone rect'));
  const s = await waitForState(page, (s) => s.islands.box1 !== s.islands.box2);
  assert.equal(s.islands.box2, s.islands.box3, 'the other two stay together');
  assert.equal(await page.locator('g.island').count(), 2, 'two partitions are drawn');
  await page.screenshot({ path: path.join(shots, 'drag.png') });
});

test('dragging it back into the other partition rejoins it', async () => {
  const other = page.locator('g.island').filter({ has: page.locator('text', { hasText: 'Partition' }) });
  // The partition holding box2 is the drop target.
  const s0 = await labState(page);
  const idx = [...new Set(Object.values(s0.islands))].sort((a, b) => a - b).indexOf(s0.islands.box2);
  await dragBox(page, 'box1', other.nth(idx).locator('rect'));
  const s = await waitForState(page, (s) => s.islands.box1 === s.islands.box2);
  assert.equal(s.islands.box1, s.islands.box3);
});

test('the keyboard moves a box too: focus it, press N', async () => {
  await page.locator('g.box[data-box="box2"]').focus();
  await page.keyboard.press('n');
  const s = await waitForState(page, (s) => s.islands.box2 !== s.islands.box1);
  assert.equal(s.islands.box1, s.islands.box3);
  await page.keyboard.press('u'); // undo brings the previous branch back
  await waitForState(page, (s) => s.islands.box2 === s.islands.box1);
});
