// Side by side: the same scenario with min-replicas-to-write 1 next to the preset, on
// the same faults and seed and one timeline: scrubbing moves both, the moment one side
// loses writes and the other refuses them is seen at once, and the table under them
// gives the difference. A comparison travels in a link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openLab, waitForState, seek, shots, root } from './harness.mjs';

const lab = sharedLab({ before, after });
const link = (base) => `${base}#p=sentinel-old-master-isolated&vs=min_replicas_to_write=1`;

test('a comparison opens from a link, scrubs together, and tabulates the difference', async () => {
  const { ctx, page } = await openLab(lab, link(lab.server.url));
  const s = await waitForState(page, (st) => st.twin && !st.computing, 30000);
  assert.deepEqual(s.twin.labels, ['min_replicas_to_write=0', 'min_replicas_to_write=1']);
  assert.equal(await page.locator('svg.canvas').count(), 2, 'two drawings');
  // One timeline: scrubbing moves both to the same moment.
  for (const t of [12000, 30000, 3000]) {
    const st = await seek(page, t);
    assert.equal(st.twin.now_ms, t, `B follows A to ${t} ms`);
  }
  // 30 s: 20 s after the cut. A's old master still acknowledges writes; B's refuses
  // them (NOREPLICAS), so B has refused writes A has not.
  const mid = await seek(page, 30000);
  assert.ok(mid.twin.rejected_so_far > 0, JSON.stringify(mid.twin));
  const table = page.locator('.compare-table');
  assert.match(await table.locator('caption').textContent(), /^So far/);
  await page.locator('.side-by-side').screenshot({ path: path.join(shots, 'side-by-side.png') });
  // At the end, the whole runs' difference.
  const end = await seek(page, 90000);
  assert.equal(end.end.acked_writes_lost, 403);
  assert.ok(end.twin.end_lost < 403, `min-replicas bounds the loss: ${end.twin.end_lost}`);
  const lost = table.locator('tr', { has: page.locator('th', { hasText: 'Acknowledged writes lost' }) });
  assert.deepEqual(await lost.locator('td').allTextContents(), ['403', String(end.twin.end_lost)]);
  assert.match(await page.locator('.compare-sentence').textContent(), new RegExp(`^With min_replicas_to_write=1: ${end.twin.end_lost} acknowledged writes lost; with min_replicas_to_write=0: 403\\.`));
  // Acting on A acts on B: a heal at 20 s reaches both.
  await seek(page, 20000);
  await page.getByRole('button', { name: 'Heal network' }).click();
  const healed = await waitForState(page, (st) => st.twin && !st.computing && st.now_ms === 20000, 30000);
  assert.equal(new Set(Object.values(healed.islands)).size, 1);
  // The address carries the comparison, so a copied link reopens it.
  await page.waitForTimeout(400);
  assert.match(page.url(), /&vs=min_replicas_to_write=1/);
  await page.addScriptTag({ path: path.join(root, 'node_modules', 'axe-core', 'axe.min.js') });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
  assert.deepEqual(violations, []);
  await ctx.close();
});

test('side by side on a phone, started from the panel and stopped', async () => {
  const { ctx, page } = await openLab(lab, `${lab.server.url}?preset=raft-minority-leader`, { width: 390, height: 844 });
  const panel = page.locator('section.compare');
  await panel.scrollIntoViewIfNeeded();
  await panel.locator('select').first().selectOption('check_quorum');
  await panel.getByLabel('Value').fill('false');
  await panel.getByRole('button', { name: 'Compare side by side' }).click();
  const s = await waitForState(page, (st) => st.twin && !st.computing, 30000);
  assert.deepEqual(s.twin.labels, ['check_quorum=true', 'check_quorum=false']);
  await seek(page, 20000);
  const sides = await page.locator('.side-by-side svg.canvas').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  assert.equal(sides.length, 2);
  assert.ok(sides.every((w) => w >= 340), `each drawing fills the width: ${sides}`);
  await page.locator('.side-by-side').screenshot({ path: path.join(shots, 'side-by-side-phone.png') });
  // An impossible change is refused in plain words, and the comparison shown stays.
  await panel.getByRole('button', { name: 'Stop comparing' }).click();
  await waitForState(page, (st) => !st.twin);
  await panel.locator('select').first().selectOption('check_quorum');
  await panel.getByLabel('Value').fill('perhaps');
  await panel.getByRole('button', { name: 'Compare side by side' }).click();
  const refused = await waitForState(page, (st) => st.message);
  assert.match(refused.message, /^Cannot compare: .*check_quorum/);
  assert.equal(await page.locator('svg.canvas').count(), 1);
  await ctx.close();
});

test('Sentinel against Raft: another system side by side on one timeline', async () => {
  const { ctx, page } = await openLab(lab, `${lab.server.url}?preset=sentinel-old-master-isolated`);
  const panel = page.locator('section.compare');
  await panel.locator('select').nth(1).selectOption('raft-minority-leader');
  await panel.getByRole('button', { name: 'Compare with this preset' }).click();
  const s = await waitForState(page, (st) => st.twin && !st.computing, 30000);
  assert.deepEqual(s.twin.labels, ['sentinel-old-master-isolated on Redis with Sentinel', 'raft-minority-leader on etcd (Raft)']);
  assert.equal(s.twin.changes, 'preset:raft-minority-leader');
  const mid = await seek(page, 20000);
  assert.equal(mid.twin.now_ms, 20000);
  assert.ok(Object.keys(mid.twin.roles).includes('N1'), 'B draws the etcd members');
  const end = await seek(page, 90000);
  assert.equal(end.end.acked_writes_lost, 403);
  assert.equal(end.twin.end_lost, 0, 'Raft loses no acknowledged write');
  assert.match(await page.locator('.compare-sentence').textContent(), /^With raft-minority-leader on etcd \(Raft\): 0 acknowledged writes lost; with sentinel-old-master-isolated on Redis with Sentinel: 403\./);
  await page.waitForTimeout(400);
  assert.match(page.url(), /&vs=preset:raft-minority-leader/);
  await ctx.close();
});

test('three sides from a link: quorum 1 and min-replicas-to-write 1 beside the preset, one timeline, one table; a side removed', async () => {
  const { ctx, page } = await openLab(lab, `${lab.server.url}#p=sentinel-old-master-isolated&vs=quorum=1|min_replicas_to_write=1`);
  const s = await waitForState(page, (st) => st.twins.length === 2 && !st.computing, 30000);
  assert.deepEqual(s.twins.map((t) => t.labels[1]), ['quorum=1', 'min_replicas_to_write=1']);
  assert.deepEqual(await page.locator('.side-by-side .side-label').allTextContents(),
    ['A: quorum=2, min_replicas_to_write=0', 'B: quorum=1', 'C: min_replicas_to_write=1']);
  for (const t of [12000, 30000]) {
    const st = await seek(page, t);
    assert.deepEqual(st.twins.map((x) => x.now_ms), [t, t], `every side follows A to ${t} ms`);
  }
  await page.locator('.side-by-side').screenshot({ path: path.join(shots, 'side-by-side-three.png') });
  const end = await seek(page, 90000);
  const table = page.locator('.compare-table');
  assert.equal(await table.locator('thead th').count(), 3);
  const lost = table.locator('tr', { has: page.locator('th', { hasText: 'Acknowledged writes lost' }) });
  assert.deepEqual(await lost.locator('td').allTextContents(), ['403', ...end.twins.map((t) => String(t.end_lost))]);
  assert.match(await page.locator('.compare-sentence').textContent(), /^Acknowledged writes lost: 403 with quorum=2, min_replicas_to_write=0, \d+ with quorum=1, \d+ with min_replicas_to_write=1\.$/);
  await page.waitForTimeout(400);
  assert.match(decodeURIComponent(page.url()), /&vs=quorum=1\|min_replicas_to_write=1/);
  // Removing B leaves A and C, and the address follows.
  await page.getByRole('button', { name: 'Remove side B' }).click();
  const left = await waitForState(page, (st) => st.twins.length === 1);
  assert.deepEqual(left.twins[0].labels, ['min_replicas_to_write=0', 'min_replicas_to_write=1']);
  await page.waitForTimeout(400);
  assert.match(decodeURIComponent(page.url()), /&vs=min_replicas_to_write=1$/);
  // A fifth side is refused in plain words.
  await page.goto(`${lab.server.url}#p=sentinel-old-master-isolated&vs=quorum=1|quorum=3|min_replicas_to_write=1|down_after_ms=1000`);
  await page.reload();
  const refused = await waitForState(page, (st) => st.message, 30000);
  assert.match(refused.message, /^Cannot compare: a comparison draws at most 4 sides/);
  await ctx.close();
});
