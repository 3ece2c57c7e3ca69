// The history view: a history opened from a file (Jepsen's EDN, the lab's JSON lines)
// or from the run shown, checked in the lab's Web Worker, drawn lane by lane with the
// operations the verdict names highlighted; a broken file leaves what was open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openLab, labState, waitForState, shots, root, bigHistory } from './harness.mjs';

const lab = sharedLab({ before, after });

// The classic stale read: process 1 reads 1 after process 0's write of 2 completed.
const staleRead = `[{:type :invoke, :f :write, :value 1, :process 0, :time 0}
{:type :ok, :f :write, :value 1, :process 0, :time 10}
{:type :invoke, :f :write, :value 2, :process 0, :time 20}
{:type :ok, :f :write, :value 2, :process 0, :time 30}
{:type :invoke, :f :read, :value nil, :process 1, :time 40}
{:type :ok, :f :read, :value 1, :process 1, :time 50}
{:type :invoke, :f :read, :value nil, :process 2, :time 5}
{:type :ok, :f :read, :value 1, :process 2, :time 15}]`;

async function openHistory(page, name, text) {
  await page.locator('.history input[type=file]').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

const attr = async (page, a) => page.locator('canvas.history-canvas').getAttribute(a);
const windowOf = async (page) => (await attr(page, 'data-window')).split('..').map(Number);

test('a Jepsen history opens, is checked in the worker, and its violation is highlighted; a broken file leaves it open', async () => {
  const { ctx, page } = await openLab(lab, `${lab.server.url}?preset=raft-minority-leader`);
  await openHistory(page, 'history.edn', staleRead);
  const verdict = page.locator('.history-verdict.bad');
  await verdict.waitFor({ timeout: 20000 });
  assert.match(await verdict.textContent(), /^NOT linearizable from 50 \(key 0\): process 1's read of 1 \(invoked at 40, answered at 50\) cannot be placed/);
  assert.match(await page.locator('.history-summary').textContent(), /^history\.edn: 4 operations, 1 key, 3 processes/);
  // The operations it names, in words, and on the drawing.
  const involved = page.locator('.history-involved li');
  // The read no order can place, then the longest valid order's last steps, oldest
  // first: write 1, process 2's read of 1, write 2.
  assert.equal(await involved.count(), 4);
  assert.match(await involved.first().textContent(), /^Cannot be placed: process 1's read of 1/);
  assert.match(await involved.nth(1).textContent(), /^In the longest valid order: process 0's write 1/);
  assert.match(await involved.nth(3).textContent(), /^In the longest valid order: process 0's write 2/);
  assert.equal(await attr(page, 'data-highlighted'), '4', 'all are drawn, outlined');
  assert.equal(await page.locator('button.see-in-run').count(), 0, 'a file from outside has no run to be seen in');
  await page.locator('.history-involved li button').first().click();
  assert.match(await page.locator('.history-point').textContent(), /process 1's read of 1 .*the operation no order can place/);
  await page.screenshot({ path: path.join(shots, 'history-violation.png') });
  await page.addScriptTag({ path: path.join(root, 'node_modules', 'axe-core', 'axe.min.js') });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document.querySelector('section.history'))).violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
  assert.deepEqual(violations, [], 'axe-core on the history view with a violation shown');

  // The keyboard moves along the drawing, and keeps its keys: Space does not play the lab.
  await page.locator('canvas.history-canvas').focus();
  const [a0, b0] = await windowOf(page);
  await page.keyboard.press('+');
  const [a1, b1] = await windowOf(page);
  assert.ok(b1 - a1 < b0 - a0, `+ zooms in: ${a0}..${b0} then ${a1}..${b1}`);
  await page.keyboard.press('ArrowRight');
  const [a2] = await windowOf(page);
  assert.ok(a2 > a1, '→ moves on');
  await page.keyboard.press(' ');
  assert.equal((await labState(page)).playing, false, 'Space on the drawing does not play the lab');
  // N and P go from operation to operation in time, each read out in words: from the
  // read no order can place (the last invoked), back to write 2 and process 2's read.
  const point = page.locator('.history-point');
  await page.keyboard.press('n');
  assert.match(await point.textContent(), /^process 1's read of 1 \(invoked at 40/, 'nothing after the last');
  await page.keyboard.press('p');
  assert.match(await point.textContent(), /^process 0's write 2 \(invoked at 20, answered at 30\), key 0: a last step of the longest valid order/);
  await page.keyboard.press('p');
  assert.match(await point.textContent(), /^process 2's read of 1 \(invoked at 5/);
  await page.keyboard.press('n');
  assert.match(await point.textContent(), /^process 0's write 2 /);

  // A broken file: one message, where the person is looking, and the history stays.
  await openHistory(page, 'broken.jsonl', '{"process": "C1", "f": "write", "value": 1, "invoke": 0, "complete": 2}\n{"process": "C1", "f": "write"');
  // (The worker reads the file: its answer comes when it comes.)
  const error = page.locator('.history .error', { hasText: 'broken.jsonl' });
  await error.waitFor();
  assert.match(await error.textContent(), /^broken\.jsonl is not a history this lab can read \(line 2: not JSON.*What was open stays open\.$/);
  assert.match(await page.locator('.history-summary').textContent(), /^history\.edn: 4 operations/);
  assert.equal(await page.locator('.history-involved li').count(), 4, 'and its verdict stays');
  await openHistory(page, 'empty.edn', '[]');
  const empty = page.locator('.history .error', { hasText: 'empty.edn' });
  await empty.waitFor();
  assert.match(await empty.textContent(), /^empty\.edn holds no operations to check/);
  await ctx.close();
});

test("the run's own history opens with the run's verdict, and reads on a phone", async () => {
  const { ctx, page } = await openLab(lab, `${lab.server.url}?preset=raft-stale-read`, { width: 390, height: 844 });
  await page.locator('.history button', { hasText: "Open this run's history" }).click();
  const verdict = page.locator('.history-verdict.bad');
  await verdict.waitFor({ timeout: 20000 });
  assert.match(await verdict.textContent(), /^NOT linearizable from [\d,]+ \(key \d+\): C\d's read of \d{1,4} /);
  assert.match(await page.locator('.history-summary').textContent(), /^this run \(raft-stale-read\): [\d,]+ operations/);
  await page.locator('.history button', { hasText: 'Show the violation' }).click();
  assert.equal(await attr(page, 'data-highlighted'), String(await page.locator('.history-involved li').count()));
  const box = await page.locator('canvas.history-canvas').boundingBox();
  assert.ok(box.width >= 340, `the drawing fills the phone's width: ${box.width}`);
  // Its times are the run's: the read no order can place is seen in the run at its moment.
  const see = page.locator('.history-involved li').first().locator('button.see-in-run');
  const at = Number(await see.getAttribute('data-at'));
  assert.match(await see.textContent(), /^See it in the run at [\d.]+ s$/);
  await see.click();
  const shown = await waitForState(page, (st) => st.now_ms === at);
  assert.equal(shown.preset, 'raft-stale-read');
  await page.locator('canvas.history-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: path.join(shots, 'history-phone.png') });
  await ctx.close();
});

test('100,000 operations: checked in the worker while the page keeps drawing frames; a redraw draws no more bars than there are pixels', async () => {
  const { ctx, page } = await openLab(lab, `${lab.server.url}?preset=raft-minority-leader`);
  const text = bigHistory(100000);
  // Count the frames the page draws while the history is read and checked.
  await page.evaluate(() => {
    window.__frames = 0;
    const tick = () => { window.__frames++; if (!window.__stopFrames) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await openHistory(page, 'big.jsonl', text);
  await page.locator('.history-verdict.ok').waitFor({ timeout: 120000 });
  const frames = await page.evaluate(() => { window.__stopFrames = true; return window.__frames; });
  const verdict = await page.locator('.history-verdict.ok').textContent();
  console.log(`# 100,000 operations: ${verdict}; ${frames} frames drawn meanwhile`);
  assert.match(verdict, /^Linearizable: .*\(([\d,]+) states searched in [\d,]+ ms\)\.$/);
  assert.match(await page.locator('.history-summary').textContent(), /^big\.jsonl: 100,000 operations, 10 keys, 5 processes/);
  assert.ok(frames > 1, 'the page kept drawing while the worker checked');
  const box = await page.locator('canvas.history-canvas').boundingBox();
  const bound = 5 * Math.ceil(box.width);
  const drawn = Number(await attr(page, 'data-drawn'));
  assert.ok(drawn > 0 && drawn <= bound, `the whole history draws ${drawn} bars, at most one per pixel column of a lane (${bound})`);
  await page.locator('.history button', { hasText: 'Zoom in' }).click();
  await page.locator('.history button', { hasText: 'Zoom in' }).click();
  const [a, b] = await windowOf(page);
  const zoomed = Number(await attr(page, 'data-drawn'));
  assert.ok(zoomed > 0 && zoomed <= bound, `zoomed in to ${a}..${b}: ${zoomed} bars`);
  await page.locator('.history select').selectOption('3');
  assert.match(await page.locator('.history-tools select').inputValue(), /^3$/);
  assert.ok(Number(await attr(page, 'data-drawn')) > 0, 'one key drawn');
  await ctx.close();
});
