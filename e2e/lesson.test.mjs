// A guided lesson as a learner meets it: from a link, with the keyboard alone,
// predicting wrong once and right once, then stepping back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, waitForState, labState, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

/** Presses Shift+Tab, then Tab, until the focused element's text matches `re`: the
 * learner's answer buttons sit just before the Next button they last pressed. */
async function tabTo(page, re) {
  const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
  for (const [key, n] of [['Shift+Tab', 8], ['Tab', 80]]) {
    for (let i = 0; i < n; i++) {
      await page.keyboard.press(key);
      if (re.test(await focused())) return;
    }
  }
  throw new Error(`nothing focusable matches ${re}`);
}

test('a lesson from its link, with the keyboard alone: wrong once, right once, then back', async () => {
  const page = await lab.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(`${lab.server.url}#lesson=quorum-1-corrected`);
  await page.locator('section.lesson', { hasText: 'Step 1 of 4' }).waitFor();
  await waitForState(page, (s) => s.preset === 'sentinel-quorum-1-isolated-sentinel' && !s.computing, 30000);
  await tabTo(page, /^Next ▶$/);
  await page.keyboard.press('Enter');
  await page.locator('section.lesson', { hasText: 'Step 2 of 4' }).waitFor();
  assert.equal((await labState(page)).now_ms, 10000, 'the step sets its moment');
  // Predict wrong: "quorum 1 means one Sentinel decides".
  await tabTo(page, /^Yes: quorum 1/);
  await page.keyboard.press('Enter');
  await page.locator('.lesson .playing').waitFor();
  await page.screenshot({ path: path.join(shots, 'lesson-predict.png') });
  await tabTo(page, /^Show me now$/);
  await page.keyboard.press('Enter');
  await page.locator('.lesson .reveal.wrong').waitFor();
  assert.match(await page.locator('.lesson .reveal').textContent(), /Not quite\. That is the folklore/);
  const s = await labState(page);
  assert.equal(s.now_ms, 30000, 'the lab stopped on the moment');
  assert.equal(s.leaders_so_far, 0, 'and it shows what the answer says: no new master');
  await page.screenshot({ path: path.join(shots, 'lesson-reveal.png') });
  await page.waitForFunction(() => /lesson=quorum-1-corrected&step=2/.test(location.hash), null, { timeout: 3000 });
  // On to the flaky link, and predict right.
  await tabTo(page, /^Next ▶$/);
  await page.keyboard.press('Enter');
  await waitForState(page, (s) => s.preset === 'sentinel-quorum-1-flaky-link');
  await tabTo(page, /^Next ▶$/);
  await page.keyboard.press('Enter');
  await page.locator('section.lesson', { hasText: 'Step 4 of 4' }).waitFor();
  await tabTo(page, /^Yes: S2 declares ODOWN alone/);
  await page.keyboard.press('Enter');
  await tabTo(page, /^Show me now$/);
  await page.keyboard.press('Enter');
  await page.locator('.lesson .reveal.right').waitFor();
  assert.equal((await labState(page)).leaders_so_far, 1);
  // Back: the narration and the run go back together.
  await tabTo(page, /Back$/);
  await page.keyboard.press('Enter');
  await page.locator('section.lesson', { hasText: 'Step 3 of 4' }).waitFor();
  const back = await waitForState(page, (s) => s.preset === 'sentinel-quorum-1-flaky-link' && s.now_ms === 0);
  assert.equal(back.leaders_so_far, 0);
  // Back across the change of preset: the first scenario again, at its step's moment.
  await tabTo(page, /Back$/);
  await page.keyboard.press('Enter');
  await page.locator('section.lesson', { hasText: 'Step 2 of 4' }).waitFor();
  await waitForState(page, (s) => s.preset === 'sentinel-quorum-1-isolated-sentinel' && s.now_ms === 10000);
  await page.close();
});

test('a lesson step waits for the learner to act', async () => {
  const page = await lab.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(`${lab.server.url}#lesson=sentinel-split-brain&step=2`);
  await page.locator('section.lesson', { hasText: 'Step 2 of 4' }).waitFor();
  await waitForState(page, (s) => s.now_ms === 9000 && !s.computing, 30000);
  assert.ok(await page.locator('.lesson button.next').isDisabled(), 'Next waits for the task');
  const box = page.locator('g.box[data-box="box1"]');
  await box.focus();
  await page.keyboard.press('n');
  await page.locator('.lesson .task.done').waitFor();
  assert.ok(!(await page.locator('.lesson button.next').isDisabled()));
  await page.close();
});

test('flashcards open the moment that answers them; the sizing sheet follows the topology and the quorum', async () => {
  const page = await lab.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(lab.server.url);
  await waitForState(page, (s) => !s.computing, 30000);
  const sheet = page.locator('table.sizing');
  assert.match(await sheet.locator('caption').textContent(), /3 Sentinels/);
  assert.deepEqual(await sheet.locator('tr.current td').allTextContents(), ['2', '1']);
  // A quorum above the majority raises the votes a failover needs.
  await page.fill('#set-quorum', '3');
  await page.press('#set-quorum', 'Enter');
  await waitForState(page, (s) => s.settings.quorum === 3);
  assert.deepEqual(await sheet.locator('tr.current td').allTextContents(), ['3', '0']);
  const card = page.locator('details.card', { hasText: 'odd number' });
  await card.locator('summary').click();
  // Quorum 3 made this scenario one's own: "Show me" asks first.
  page.once('dialog', (d) => d.dismiss());
  await card.locator('button').click();
  await page.waitForTimeout(300);
  assert.equal((await labState(page)).settings.quorum, 3, 'declined: nothing changed');
  page.once('dialog', (d) => d.accept());
  await card.locator('button').click();
  const s = await waitForState(page, (s) => s.preset === 'raft-even-split' && s.now_ms === 15000, 30000);
  assert.equal(s.system, 'etcd-raft');
  assert.deepEqual(await sheet.locator('tr.current td').allTextContents(), ['3', '1'], 'four members survive one failure');
  await page.close();
});

test("a trainer's own lesson opens from a file and travels whole in the link", async () => {
  const mine = {
    version: 1,
    name: 'our-wait-drill',
    title: 'Our drill: WAIT on the payments cluster',
    steps: [
      { preset: 'sentinel-wait', say: 'Our payments cluster sends WAIT 1 after each write.' },
      {
        at_ms: 10000,
        say: 'Box1 is cut off with one replica.',
        predict: { question: 'Are our acknowledged writes safe?', answers: ['Yes', 'No'], correct: 1, play_to_ms: 55000, reveal: 'No: the replica on the losing side is resynced too.' },
      },
    ],
  };
  const page = await lab.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(lab.server.url);
  await waitForState(page, (s) => !s.computing, 30000);
  await page.setInputFiles('section.share input[type=file]', { name: 'drill.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(mine)) });
  await page.locator('section.lesson', { hasText: 'Our drill: WAIT on the payments cluster' }).waitFor();
  await waitForState(page, (s) => s.preset === 'sentinel-wait');
  await page.click('.lesson button.next');
  await page.locator('section.lesson', { hasText: 'Step 2 of 2' }).waitFor();
  await page.waitForFunction(() => location.hash.includes('&ls=1.') && location.hash.includes('&step=2'));
  const other = await lab.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await other.goto(page.url());
  await other.locator('section.lesson', { hasText: 'Step 2 of 2' }).waitFor();
  assert.match(await other.locator('section.lesson h2').textContent(), /Our drill/);
  // A broken lesson file is refused in plain words.
  await other.setInputFiles('section.share input[type=file]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...mine, steps: [{ say: 'no preset' }] })) });
  const s = await waitForState(other, (s) => s.message !== null);
  assert.match(s.message, /bad\.json is not a lesson this lab can follow: steps\[0\]\.preset/);
  await other.close();
  await page.close();
});
