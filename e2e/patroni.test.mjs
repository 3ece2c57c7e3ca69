// PostgreSQL under Patroni in the page: a third system, one that uses the etcd model,
// drawn from what the core says about it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openPreset, waitForState, seek, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

const open = (viewport, preset = 'patroni-primary-isolated') => openPreset(lab, preset, viewport);

test('patroni primary isolated: the old primary demotes itself, a standby takes the key', async () => {
  const page = await open({ width: 1366, height: 768 });
  const start = await waitForState(page, (s) => s.system === 'patroni');
  assert.equal(start.roles.pg1, 'primary');
  assert.equal(start.roles.pg2, 'standby');
  assert.equal(start.roles.etcd1, 'leader', 'the etcd member on the primary\'s host leads the DCS');
  assert.match(await page.locator('.settings').textContent(), /retry_timeout/);
  assert.match(await page.locator('.legend').textContent(), /etcd member/);
  // The leader key's lease runs out around pg1 (as last renewed) and around the etcd
  // leader (its lessor's count); the ring is labelled for screen readers.
  await seek(page, 15000);
  const rings = await page.locator('g.gauge').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label')));
  assert.ok(rings.some((r) => /as last renewed: \d+ s left of 30 s/.test(r)), rings.join(' | '));
  assert.ok(rings.some((r) => /as this etcd leader counts it/.test(r)), rings.join(' | '));
  // Before the lease expires the cut-off primary has demoted itself and nobody leads.
  const mid = await seek(page, 45000);
  assert.notEqual(mid.roles.pg1, 'primary', `pg1 is ${mid.roles.pg1}`);
  assert.ok(!['pg2', 'pg3'].some((n) => mid.roles[n] === 'primary'), 'the key has not expired yet');
  assert.ok(await page.locator('button.marker.alert').count() > 0, 'the self-demotion is on the timeline');
  await page.screenshot({ path: path.join(shots, 'patroni-demoted.png') });
  const later = await seek(page, 60000);
  assert.ok(['pg2', 'pg3'].some((n) => later.roles[n] === 'primary'), 'a standby took the key');
  await page.screenshot({ path: path.join(shots, 'patroni-failover.png') });
  await page.close();
});

test('patroni on a phone: the lab fits 390 px and its labels read', async () => {
  const page = await open({ width: 390, height: 844 }, 'patroni-sync-isolated');
  await seek(page, 30000);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
  const d = await page.evaluate(() => {
    const svg = document.querySelector('svg.canvas');
    const r = svg.getBoundingClientRect();
    const scale = r.width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    return { width: r.width, smallest: Math.min(...sizes) };
  });
  assert.ok(d.width >= 340, `the drawing is ${d.width} px wide`);
  assert.ok(d.smallest >= 11, `the smallest label is ${d.smallest.toFixed(1)} px`);
  await page.screenshot({ path: path.join(shots, 'patroni-phone.png') });
  await page.close();
});
