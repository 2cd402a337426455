// What the browser tests share: a temporary work directory and data home,
// TAP-like checks, a real `refinery server --port 0` started and stopped by
// pid, Debian's chromium launched through playwright-core with the flags this
// machine needs (no browser download, no background networking), and the
// ending that prints the server log on failure and cleans up.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createHarness(prefix, binary, shotsDir) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const home = path.join(work, 'home');
  fs.mkdirSync(shotsDir, { recursive: true });
  const serverLog = path.join(work, 'server.log');
  let failures = 0;
  let server = null;
  let serverExited = false;
  let browser = null;

  const h = {
    work,
    home,
    check(condition, what) {
      console.log(`${condition ? 'ok' : 'FAIL'} - ${what}`);
      if (!condition) failures += 1;
    },
    fail(error) {
      failures += 1;
      console.log(`FAIL - ${error.stack || error}`);
    },
    write(relative, text) {
      const file = path.join(work, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
    cli(args) {
      return execFileSync(binary, ['--home', home, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    },
    async waitFor(what, probe, attempts = 600) {
      for (let i = 0; i < attempts; i++) {
        const value = await probe();
        if (value) return value;
        if (serverExited) throw new Error(`the server exited while waiting for ${what}`);
        await sleep(100);
      }
      throw new Error(`timed out waiting for ${what}`);
    },
    // Starts the server; resolves to its base URL once it listens.
    async startServer() {
      const logFd = fs.openSync(serverLog, 'w');
      server = spawn(binary, ['--home', home, 'server', '--port', '0'], { stdio: ['ignore', logFd, logFd] });
      server.on('exit', () => { serverExited = true; });
      const oozieUrl = await h.waitFor('server.url', () => {
        try { return fs.readFileSync(path.join(home, 'server.url'), 'utf8').trim(); } catch { return ''; }
      });
      return oozieUrl.replace(/\/oozie$/, '');
    },
    async stopServer() {
      if (!server || serverExited) return;
      server.kill('SIGTERM');
      for (let i = 0; i < 200 && !serverExited; i++) await sleep(50);
      if (!serverExited) server.kill('SIGKILL');
    },
    // A fresh headless Chromium; console errors are collected for the final check.
    async launch(options = {}) {
      browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
        executablePath: process.env.REFINERY_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        viewport: { width: 1280, height: 800 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync'],
        ...options,
      });
      const page = browser.pages()[0] || await browser.newPage();
      const consoleErrors = [];
      page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
      page.on('pageerror', (error) => consoleErrors.push(String(error)));
      return {
        page,
        consoleErrors,
        shot: (name) => page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true }),
        text: () => page.locator('main').innerText(),
      };
    },
    // Closes everything, prints the verdict and exits with it.
    async finish() {
      if (browser) await browser.close();
      await h.stopServer();
      if (failures > 0 && fs.existsSync(serverLog)) {
        console.log('# server log:\n' + fs.readFileSync(serverLog, 'utf8').split('\n').slice(-40).join('\n'));
      }
      fs.rmSync(work, { recursive: true, force: true });
      console.log(failures === 0 ? `# all checks passed; screenshots in ${shotsDir}` : `# ${failures} check(s) failed`);
      process.exit(failures === 0 ? 0 : 1);
    },
  };
  return h;
}
