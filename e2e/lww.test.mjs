// The last-write-wins store in the page: a leaderless system drawn from what the core
// says about it. Each node's version carries its timestamp beside its name, the moment
// a replica drops items for a later-stamped version is on the timeline, and the
// acknowledged updates it dropped are listed as lost. Nothing about elections shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openPreset, waitForState, seek, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

const open = (viewport, preset) => openPreset(lab, preset, viewport);

/** The timestamp tag beside each node, by name. */
async function stamps(page) {
  return page.locator('g.proc').evaluateAll((gs) => Object.fromEntries(gs
    .map((g) => [g.getAttribute('data-proc'), g.querySelector('text.proc-epoch')?.firstChild.textContent.replace(/^t/, '')])
    .filter(([, t]) => t !== undefined)
    .map(([n, t]) => [n, Number(t)])));
}

test('lww partition: both sides write, and on heal one side\'s acknowledged updates vanish', async () => {
  const page = await open({ width: 1366, height: 768 }, 'lww-partition');
  const start = await waitForState(page, (s) => s.system === 'lww');
  assert.equal(start.roles.N1, 'node');
  assert.equal(await page.locator('section[aria-label^="Who is"]').count(), 0, 'a leaderless store has no beliefs about a leader');
  // Cut apart at 10 s: each side's versions move on with their own timestamps.
  const cut = await seek(page, 30000);
  assert.notEqual(cut.islands.box3, cut.islands.box1);
  const during = await stamps(page);
  assert.ok(during.N1 > 25000 && during.N3 > 25000, JSON.stringify(during));
  assert.notEqual(during.N1, during.N3, 'two versions, one per side');
  // After the heal the later-stamped version replaces the other, items and all.
  await seek(page, 45000);
  const after = await stamps(page);
  assert.equal(new Set(Object.values(after)).size, 1, `the replicas agree again: ${JSON.stringify(after)}`);
  assert.ok(await page.locator('button.marker.loss').count() > 0, 'the overwrite is on the timeline');
  // The checker's verdict marks the moment the history stops being linearizable.
  const verdict = page.locator('button.marker.not-linearizable');
  assert.equal(await verdict.count(), 1);
  assert.match(await verdict.getAttribute('aria-label'), /^Jump to \d+\.\d s: the history stops being linearizable: C\d's read/);
  const lost = Number(await page.locator('ul.lost').getAttribute('data-lost'));
  assert.ok(lost >= 20, `acknowledged, then dropped: ${lost}`);
  // The drawing as it is, before the ending is revealed (revealing scrolls to it).
  await page.screenshot({ path: path.join(shots, 'lww-heal.png') });
  await page.locator('section.outcome button.reveal').click();
  const outcome = await page.locator('section.outcome').textContent();
  assert.doesNotMatch(outcome, /split-brain|new coordinators/, outcome);
  assert.match(outcome, /history linearizable\s*—\s*no/, outcome);
  assert.match(await page.locator('section.outcome p.violation').textContent(), /^Not linearizable \(key 1\): C\d's read of C\d's #\d+ .* cannot be placed/);
  await page.close();
});

test('lww clock skew on a phone: N1 stamps the future, readable at 390 px', async () => {
  const page = await open({ width: 390, height: 844 }, 'lww-clock-skew');
  const s = await seek(page, 4200);
  const t = await stamps(page);
  // N1's clock is 5 s ahead: at 4.2 s every replica holds a version stamped after 5 s.
  assert.ok(Object.values(t).every((x) => x > 5000), JSON.stringify(t));
  assert.ok(s.end.counters['writes acknowledged but kept out by a later timestamp'] > 0, JSON.stringify(s.end));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
  await page.screenshot({ path: path.join(shots, 'lww-skew-phone.png') });
  await page.close();
});

test('optimistic conflict: the version check merges; switched off, the same run loses updates', async () => {
  const page = await open({ width: 1366, height: 768 }, 'optimistic-conflict');
  await page.locator('section.outcome button.reveal').click();
  let outcome = await page.locator('section.outcome').textContent();
  assert.match(outcome, /conflicts detected and merged\s*\d+\s*[1-9]\d*/, outcome);
  assert.match(outcome, /acknowledged writes silently overwritten\s*0\s*0/, outcome);
  assert.match(outcome, /history linearizable\s*—\s*yes/, outcome);
  await page.getByLabel('Conflict check', { exact: true }).selectOption('none');
  await waitForState(page, (s) => !s.computing && s.settings.concurrency === 'none', 30000);
  const end = await waitForState(page, (s) => s.end && s.end.acked_writes_lost > 0, 30000);
  assert.ok(end.end.acked_writes_lost >= 10, JSON.stringify(end.end));
  await page.close();
});
