// Browser figures for ./lab bench: time to the first drawn cluster (median of several
// loads) and the simulation core's speed as wasm in headless Chromium.
import { serve, launch } from './harness.mjs';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const server = await serve();
const browser = await launch();
try {
  const loads = [];
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('svg.canvas g.box');
    loads.push(await page.evaluate(() => Number(window.__sblFirstDraw)));
    await context.close();
  }
  console.log(`first drawn cluster: ${median(loads).toFixed(0)} ms after navigation (median of ${loads.length} loads; min ${Math.min(...loads).toFixed(0)}, max ${Math.max(...loads).toFixed(0)})`);

  const page = await browser.newPage();
  await page.goto(`${server.url}?bench=sim`);
  await page.waitForFunction(() => window.__sblBench, null, { timeout: 300000 });
  const rows = JSON.parse(await page.evaluate(() => window.__sblBench));
  for (const r of rows) {
    console.log(`sim wasm    ${String(r.boxes).padStart(2)} boxes, 10 simulated min: ${r.events} events, ${(r.events_per_s / 1e6).toFixed(2)} M events/s (best of 3, Chromium)`);
  }
} finally {
  await browser.close();
  await server.close();
}
