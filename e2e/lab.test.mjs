// The lab as a person uses it: drag, play, see the failover and the split-brain
// banner, heal, see the lost writes; change settings; scrub; the keyboard alone.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve, launch, labState, waitForState, dragBox, seek, shots } from './harness.mjs';

let server, browser, page;

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  await page?.close();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(server.url);
  await page.waitForSelector('svg.canvas g.box');
  await waitForState(page, (s) => !s.computing);
});

async function fastest() {
  await page.selectOption('select[aria-label="Speed"]', { label: '100× real time' });
}

test('drag the master away, play to a failover, see split-brain, heal, see the lost writes', async () => {
  await dragBox(page, 'box1', page.locator('g.new-zone rect'));
  await waitForState(page, (s) => s.islands.box1 !== s.islands.box2);
  await fastest();
  await page.click('button.play');
  const s = await waitForState(page, (s) => s.leaders_so_far >= 1 && s.split_brain, 20000);
  await page.click('button.play'); // pause to look
  assert.equal(s.roles.M1, 'master', 'the old master still believes it is master');
  assert.ok(Object.entries(s.roles).some(([n, r]) => n !== 'M1' && r === 'master'), 'and a replica was promoted');
  const banner = page.locator('.banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /SPLIT-BRAIN/);
  await page.screenshot({ path: path.join(shots, 'split-brain.png') });
  assert.equal(await page.locator('ul.lost').count(), 0, 'nothing is lost yet: no data has been discarded');

  await page.click('button.heal');
  await waitForState(page, (s) => new Set(Object.values(s.islands)).size === 1);
  await page.click('button.play');
  await waitForState(page, (s) => !s.split_brain && s.roles.M1 === 'replica', 30000);
  await page.click('button.play');
  const healed = await waitForState(page, (s) => !s.computing && !s.playing);
  assert.ok(healed.end.acked_writes_lost > 0);
  assert.equal(healed.end.new_leaders, 1, 'the failover before the heal is part of the whole run');
  const lost = page.locator('ul.lost');
  await lost.waitFor();
  assert.equal(Number(await lost.getAttribute('data-lost')), healed.end.acked_writes_lost);
  assert.ok(await lost.locator('del').count() > 0, 'lost writes are shown struck through');
  await page.screenshot({ path: path.join(shots, 'lost-writes.png'), fullPage: true });
});

test('min-replicas-to-write 1 loses fewer acknowledged writes', async () => {
  const before = (await waitForState(page, (s) => !s.computing)).end.acked_writes_lost;
  assert.ok(before > 0);
  await page.fill('#set-min_replicas_to_write', '1');
  await page.press('#set-min_replicas_to_write', 'Enter');
  const after = await waitForState(page, (s) => s.settings.min_replicas_to_write === 1 && !s.computing);
  assert.ok(after.end.acked_writes_lost < before, `${after.end.acked_writes_lost} < ${before}`);
});

test('an impossible setting gets a plain message and the previous value stays', async () => {
  await page.fill('#set-quorum', '0');
  await page.press('#set-quorum', 'Enter');
  const s = await waitForState(page, (s) => s.message !== null);
  assert.match(s.message, /quorum/);
  assert.equal(s.settings.quorum, 2, 'the previous quorum is still in force');
  assert.match(await page.locator('.settings .error').textContent(), /previous value stays/);
});

test('scrubbing back shows the earlier state exactly', async () => {
  const later = await seek(page, 30000);
  assert.equal(later.roles.R1, 'master', 'by 30 s R1 was promoted');
  const earlier = await seek(page, 5000);
  assert.equal(earlier.roles.R1, 'replica');
  assert.equal(earlier.roles.M1, 'master');
  assert.ok(earlier.events < later.events);
  // A marker on the timeline jumps to its moment: the election, with the votes drawn.
  await page.click('button.marker.election');
  const at = await waitForState(page, (s) => s.now_ms > 10000 && s.now_ms < 20000);
  assert.equal(at.roles.M1, 'master');
  // Votes answer the request a moment later: step event by event until one is drawn.
  for (let i = 0; i < 50 && (await page.locator('g.vote').count()) === 0; i++) {
    await page.click('button[aria-label="Step forward one event"]');
  }
  assert.ok(await page.locator('g.vote').count() > 0, 'a vote is drawn from voter to candidate');
  await page.screenshot({ path: path.join(shots, 'election.png') });
});

test('a whole scenario with the keyboard alone', async () => {
  // Tab to the master's box, cut it off, play fast, pause, heal, undo.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const box = await page.evaluate(() => document.activeElement?.getAttribute('data-box'));
    if (box === 'box1') break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-box')), 'box1');
  await page.keyboard.press('n');
  await waitForState(page, (s) => s.islands.box1 !== s.islands.box2);
  const e0 = (await labState(page)).events;
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await waitForState(page, (s) => s.events === e0 + 2);
  await page.keyboard.press('ArrowLeft');
  await waitForState(page, (s) => s.events === e0 + 1);
  for (let i = 0; i < 6; i++) await page.keyboard.press('+');
  await page.keyboard.press(' ');
  await waitForState(page, (s) => s.leaders_so_far >= 1, 20000);
  await page.keyboard.press(' ');
  await waitForState(page, (s) => !s.playing);
  await page.keyboard.press('h');
  await waitForState(page, (s) => new Set(Object.values(s.islands)).size === 1);
  await page.keyboard.press('u');
  await waitForState(page, (s) => s.islands.box1 !== s.islands.box2);
  await page.keyboard.press('?');
  await page.locator('.help').waitFor();
});

test('a mangled scenario link gets a plain message and the default scenario', async () => {
  await page.goto(`${server.url}?from=link#scenario=%7Bnot-json`);
  await page.waitForSelector('svg.canvas g.box');
  const s = await labState(page);
  assert.equal(s.preset, 'sentinel-old-master-isolated');
  assert.match(s.message, /could not be opened: .*not valid JSON/);
  assert.equal(await page.locator('.error').count(), 1, 'one message, once');
});

test('a shared link carries the whole scenario, changes included', async () => {
  await page.fill('#set-quorum', '3');
  await page.press('#set-quorum', 'Enter');
  await waitForState(page, (s) => s.settings.quorum === 3);
  // Act mid-run: the lab forks from its snapshots; the link rebuilds from scratch.
  await seek(page, 12000);
  await page.waitForFunction(() => location.hash.includes('t=12000'));
  const unforked = await page.evaluate(() => location.hash);
  await dragBox(page, 'box3', page.locator('g.new-zone rect'));
  await waitForState(page, (s) => s.islands.box3 !== s.islands.box1);
  const here = await waitForState(page, (s) => !s.computing);
  // The address holds the whole scenario, compact, and the moment shown: it is written
  // once things settle (a quarter of a second), the fork included.
  await page.waitForFunction((h) => location.hash !== h && location.hash.includes('t=12000'), unforked);
  const link = page.url();
  assert.match(link, /#s=1\.[A-Za-z0-9_-]+&t=12000$/);
  assert.ok(link.length < 1500, `a compact link (${link.length} characters)`);
  const other = await browser.newPage();
  await other.goto(link);
  await other.waitForSelector('svg.canvas g.box');
  const s = await waitForState(other, (s) => !s.computing);
  assert.equal(s.settings.quorum, 3);
  assert.deepEqual(s.end, here.end, 'the forked run and the shared scenario give the same outcome');
  const there = await waitForState(other, (s) => s.now_ms === 12000);
  assert.notEqual(there.islands.box3, there.islands.box1, 'the drag is part of the shared scenario');
  assert.equal(there.events, (await labState(page)).events, 'the same number of events to that moment');
  await other.close();
});

test('a broken scenario file is refused in plain words and nothing is lost', async () => {
  await page.fill('#set-quorum', '3');
  await page.press('#set-quorum', 'Enter');
  await waitForState(page, (s) => s.settings.quorum === 3);
  await page.setInputFiles('section.share input[type=file]', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "system": ') });
  const s = await waitForState(page, (s) => s.message !== null);
  assert.match(s.message, /broken\.json is not a scenario/);
  assert.equal(s.settings.quorum, 3, 'what the user had is still there');
});

test('cut one link from a process panel, add a Sentinel, move a process to another box', async () => {
  await page.click('g.proc[data-proc="S2"]');
  await page.selectOption('select[aria-label="The other end of the link"]', 'M1');
  await page.click('text=Cut both ways');
  let s = await waitForState(page, (s) => s.link_cuts.length === 2);
  assert.deepEqual(s.link_cuts.map((c) => c.join('>')).sort(), ['M1>S2', 'S2>M1']);
  assert.equal(new Set(Object.values(s.islands)).size, 1, 'no box moved: only the link is cut');
  await page.click('button[aria-label="Add a Sentinel to box3"]');
  s = await waitForState(page, (s) => s.roles.S4 === 'sentinel');
  assert.equal(s.placement.S4, 'box3');
  await page.click('g.proc[data-proc="MON"]');
  await page.selectOption('select[aria-label="The box MON runs on"]', 'box1');
  s = await waitForState(page, (s) => s.placement.MON === 'box1');
  assert.match(await page.locator('.settings .facts').textContent(), /4 Sentinels, quorum 2: .* the failover needs 3 votes/);
});

test('step from moment to moment with a caption; Space never scrolls the page', async () => {
  const first = await labState(page);
  assert.equal(first.now_ms, 0);
  // No spoilers: the whole run's ending shows only when asked for (or reached).
  const outcome = page.locator('section.outcome');
  assert.doesNotMatch(await outcome.textContent(), /whole run/);
  await page.click('text=Show how this ends');
  await page.waitForSelector('section.outcome th:has-text("whole run")');
  await page.click('button[aria-label="Next moment that matters"]');
  const a = await waitForState(page, (s) => s.now_ms > 0);
  assert.equal(a.now_ms, 10000, 'the first moment is the cut at 10 s');
  assert.match(await page.locator('p.caption').textContent(), /10\.0 s: fault: isolate box1/);
  await page.keyboard.press(']');
  const b = await waitForState(page, (s) => s.now_ms > a.now_ms);
  assert.match(await page.locator('p.caption').textContent(), new RegExp(`^${(b.now_ms / 1000).toFixed(1)} s: `));
  await page.keyboard.press('[');
  await waitForState(page, (s) => s.now_ms === a.now_ms);
  // The timeline says what its markers mean.
  assert.match(await page.locator('.marker-legend').textContent(), /network cut/);
  // Space plays and pauses; the page does not scroll.
  await page.evaluate(() => document.activeElement?.blur());
  const y0 = await page.evaluate(() => window.scrollY);
  await page.keyboard.press(' ');
  await waitForState(page, (s) => s.playing);
  await page.keyboard.press(' ');
  await waitForState(page, (s) => !s.playing);
  assert.equal(await page.evaluate(() => window.scrollY), y0, 'Space did not scroll');
  // A focused button does one thing: Space presses it and does not also toggle play.
  await page.focus('button[aria-label="Next moment that matters"]');
  const before = await labState(page);
  await page.keyboard.press(' ');
  const after = await waitForState(page, (s) => s.now_ms > before.now_ms);
  assert.equal(after.playing, false);
});

test('from the keyboard: reach a process, open its panel, crash it; the markers are one tab stop', async () => {
  // Tab to M1's process (after the boxes), open its panel with Enter.
  let found = false;
  for (let i = 0; i < 80 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.closest('g.proc')?.getAttribute('data-proc') === 'M1');
  }
  assert.ok(found, 'M1 is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.locator('section.proc h2', { hasText: 'M1' }).waitFor();
  // Its actions are buttons further on: Tab to Crash and press it.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.textContent === 'Crash')) break;
  }
  await page.keyboard.press('Enter');
  await page.locator('section.proc button', { hasText: 'Restart' }).waitFor();
  // The timeline's markers take one tab stop; the arrows walk them.
  // The crash changed the run: its markers come back as the rest is computed again.
  await waitForState(page, (s) => !s.computing);
  const stops = await page.evaluate(() => [...document.querySelectorAll('button.marker')].filter((b) => b.tabIndex >= 0).length);
  assert.equal(stops, 1);
});

test('a box being dragged is drawn on top of the others', async () => {
  const from = await page.locator('g.box[data-box="box1"] rect.box-frame').boundingBox();
  await page.mouse.move(from.x + 40, from.y + 10);
  await page.mouse.down();
  await page.mouse.move(from.x + 200, from.y + 60, { steps: 6 });
  const last = await page.evaluate(() => [...document.querySelectorAll('svg.canvas g.box')].at(-1).dataset.box);
  const lastProc = await page.evaluate(() => [...document.querySelectorAll('svg.canvas g.proc')].at(-1).dataset.proc);
  await page.mouse.up();
  assert.equal(last, 'box1');
  assert.ok(['M1', 'S1', 'C1'].includes(lastProc), `box1's processes are drawn last too (${lastProc})`);
});

test('after a cut, at the default speed, messages are on screen in most frames and the pace is told', async () => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await dragBox(page, 'box1', page.locator('g.new-zone rect'));
  await waitForState(page, (s) => s.islands.box1 !== s.islands.box2 && !s.computing);
  await page.click('button.play');
  const counts = [];
  const paces = new Set();
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(100);
    counts.push(await page.locator('svg.canvas g.msg').count());
    paces.add(await page.locator('.clock .pace').textContent().catch(() => ''));
  }
  const s = await labState(page);
  await page.click('button.play');
  const seen = counts.filter((n) => n > 0).length;
  console.log(`# frames with a message in flight: ${seen} of ${counts.length}; run played to ${s.now_ms} ms`);
  assert.ok(seen > 20, `moving messages in most of 40 sampled frames (${seen})`);
  // The pace is said in words: the run is slowed so that 1 ms flights can be followed.
  assert.ok([...paces].some((p) => /slowed: 1 s of the run takes [\d.]+ s|held at this moment/.test(p)), [...paces].join(' | '));
  // Yet it moves on: four seconds of watching play more than a second of the run.
  assert.ok(s.now_ms > 1000, `the run moved on (${s.now_ms} ms)`);
});

test('the outcome counts lost writes so far: none before the heal, all of them once the old master discards', async () => {
  const lostSoFar = () => page.locator('section.outcome tr', { hasText: 'acknowledged writes lost' }).locator('td').first().textContent();
  const end = (await labState(page)).end;
  assert.ok(end.acked_writes_lost > 0, 'this preset loses acknowledged writes');
  // The preset heals at 40 s; before that the writes are only at risk.
  await seek(page, 39000);
  assert.equal((await lostSoFar()).trim(), '0');
  assert.equal(await page.locator('section.outcome button.reveal').count(), 1, 'the ending is not shown yet');
  // The old master discards them when it rejoins as a replica: the timeline marks it.
  const mark = await page.locator('button.marker.loss').first().getAttribute('aria-label');
  const at = Math.round(parseFloat(/Jump to ([\d.]+) s/.exec(mark)[1]) * 1000);
  assert.ok(at > 40000, `the discard comes after the heal (${at} ms)`);
  await seek(page, at - 200);
  assert.equal((await lostSoFar()).trim(), '0', 'healed, but not yet discarded');
  await seek(page, at + 200);
  assert.equal((await lostSoFar()).trim(), String(end.acked_writes_lost));
});

test('the timeline reads without hover: labels beside the markers, and every moment in a list that goes there', async () => {
  const labels = await page.locator('.marker-label').allTextContents();
  assert.ok(labels.some((l) => /isolate box1|cut/.test(l)), `a label names the cut (${labels.join(' | ')})`);
  await page.click('details.moments summary');
  const items = page.locator('details.moments button.moment');
  assert.ok(await items.count() >= 5, 'the moments are listed');
  const heal = items.filter({ hasText: 'heal' }).first();
  await heal.click();
  const s = await waitForState(page, (s) => s.now_ms >= 40000);
  assert.equal(s.now_ms, 40000, 'the list goes to the moment');
  assert.equal(await heal.getAttribute('aria-current'), 'step');
});

for (const [name, viewport, touch] of [['desktop', { width: 1366, height: 768 }, false], ['phone', { width: 390, height: 844 }, true]]) {
  test(`votes fly at a pace the eye can follow, with the moment's caption (${name})`, async () => {
    const ctx = await browser.newContext({ viewport, hasTouch: touch, isMobile: touch });
    const p = await ctx.newPage();
    await p.goto(server.url);
    await waitForState(p, (s) => !s.computing);
    // Just before the first election, then play at the default pace.
    const mark = await p.locator('button.marker.election').first().getAttribute('aria-label');
    const at = Math.round(parseFloat(/Jump to ([\d.]+) s/.exec(mark)[1]) * 1000) - 200;
    await seek(p, at);
    await p.click('button.play');
    // The run holds at the election for its caption, then sends the vote requests:
    // the slowest flights, on screen for most of a second.
    await p.locator('p.caption', { hasText: 'asks for votes' }).waitFor({ timeout: 8000 });
    await p.waitForTimeout(1300);
    await p.click('button.play');
    const s = await labState(p);
    assert.ok(s.now_ms - at < 3000, `paced: ${s.now_ms - at} ms of the run in about a second`);
    assert.ok(await p.locator('svg.canvas g.msg').count() >= 1, 'messages in flight when paused');
    assert.match(await p.locator('p.caption').textContent(), /\d+\.\d s: /);
    // The drawing and the caption together, wherever the layout puts the caption.
    const clip = await p.evaluate(() => {
      const a = document.querySelector('svg.canvas').getBoundingClientRect();
      const b = document.querySelector('p.caption').getBoundingClientRect();
      const top = Math.min(a.top, b.top) + window.scrollY - 8;
      const bottom = Math.max(a.bottom, b.bottom) + window.scrollY + 8;
      return { x: 0, y: top, width: document.documentElement.clientWidth, height: bottom - top };
    });
    await p.screenshot({ path: path.join(shots, `in-flight-${name}.png`), fullPage: true, clip });
    await ctx.close();
  });
}

test('keyboard only: reach a process, cut its link, play to the failover, step back by moments', async () => {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.closest('g.proc')?.getAttribute('data-proc') === 'M1')) break;
  }
  await page.keyboard.press('Enter');
  await page.locator('section.proc h2', { hasText: 'M1' }).waitFor();
  // Tab to the link's other end, pick C1 with the arrow keys, then cut it.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'The other end of the link')) break;
  }
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.value)) !== 'C1'; i++) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cut both ways');
  await page.keyboard.press('Enter');
  await waitForState(page, (s) => s.link_cuts.length > 0);
  // Play (fast, from the keyboard) until a replica is promoted, then pause.
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.activeElement?.blur());
  for (let i = 0; i < 6; i++) await page.keyboard.press('+');
  await page.keyboard.press(' ');
  const s = await waitForState(page, (s) => s.leaders_so_far >= 1, 20000);
  await page.keyboard.press(' ');
  await waitForState(page, (s) => !s.playing);
  // Back by moments: each press lands on an earlier moment, with its caption.
  const captions = [];
  let last = (await labState(page)).now_ms;
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('[');
    const t = (await waitForState(page, (x) => x.now_ms < last)).now_ms;
    captions.push(await page.locator('p.caption').textContent());
    last = t;
  }
  assert.ok(last < s.now_ms);
  assert.equal(new Set(captions).size, 3, captions.join(' | '));
});
