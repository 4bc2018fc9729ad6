// Debian's Chromium driven by playwright-core for the tests that open a report page: a fresh profile, every request
// but the page itself aborted and logged, console errors, page errors and dialogs collected. `browserTest` is
// ava's test.serial where Chromium is present; without it the tests skip with a message, except in CI (CI=true),
// where a failing test says what is missing (.ci/run installs the Debian package).
import test from 'ava';
import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {chromium, type BrowserContext} from 'playwright-core';
import {PROJECT_ROOT} from './cli.js';

/** Debian's Chromium; MSLK_CHROMIUM points elsewhere (another machine, or a missing path to see the skip). */
export const CHROMIUM = process.env['MSLK_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** What the page did: requests other than the page itself (each one aborted), console errors, page errors, dialogs. */
export interface PageLog {
  requests: string[];
  aborted: number;
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
}

/** Runs `use` with a fresh Chromium profile whose every request but `pageUrl` is aborted and logged. */
export async function withBrowser<T>(pageUrl: string, use: (context: BrowserContext, log: PageLog) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(join(tmpdir(), 'mslk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: {width: 1360, height: 900}});
  const log: PageLog = {requests: [], aborted: 0, consoleErrors: [], pageErrors: [], dialogs: []};
  try {
    await context.route('**/*', async (route) => {
      if (route.request().url() === pageUrl) return route.continue();
      log.aborted += 1;
      return route.abort();
    });
    context.on('request', (request) => {
      const url = request.url();
      if (url !== pageUrl && !url.startsWith('data:')) log.requests.push(url);
    });
    context.on('console', (message) => {
      if (message.type() === 'error') log.consoleErrors.push(message.text());
    });
    context.on('page', (page) => {
      page.on('pageerror', (error) => log.pageErrors.push(error.message));
      page.on('dialog', (dialog) => {
        log.dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    });
    return await use(context, log);
  } finally {
    await context.close();
    await rm(profile, {recursive: true, force: true});
  }
}

const chromiumPresent = existsSync(CHROMIUM);
export const browserTest = chromiumPresent ? test.serial : (test.skip as unknown as typeof test.serial);
if (!chromiumPresent && process.env['CI'] === 'true') {
  test('Chromium is installed for the browser tests', (t) => {
    t.fail(`${CHROMIUM} is missing: the report's browser test needs Debian's chromium (.ci/run installs it with apt-get)`);
  });
} else if (!chromiumPresent) {
  console.log(`Skipping the report browser tests: ${CHROMIUM} is absent (install it with: apt-get install -y chromium).`);
}

