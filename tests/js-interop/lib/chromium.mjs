// Debian's Chromium, headless, driven by playwright-core: no browser is downloaded. Each launch gets a fresh
// temporary profile (its own --user-data-dir), removed when the browser closes.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

export const ChromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium() {
  if (!existsSync(ChromiumPath)) {
    throw new Error(`Chromium is not at ${ChromiumPath}: install Debian's chromium (tests/run does).`);
  }
  return chromium.launch({
    executablePath: ChromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic',
    ],
  });
}

/**
 * A fresh context (no cookies, no storage). The test server's certificate is one that only the tests trust; rather
 * than a profile with it installed, the context accepts it (and would accept any other: loopback only, tests only).
 */
export function newContext(browser) {
  return browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
}

/**
 * Signs in on Tessera's pages and accepts the consent page if it is shown. Returns once the browser is on its way
 * elsewhere (the client), with whether consent was asked.
 */
export async function signInOnTessera(page, userName, password) {
  await page.locator('#username').waitFor({ timeout: 15_000 });
  await page.fill('#username', userName);
  await page.fill('#password', password);
  const tessera = new URL(page.url()).origin;
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/account/signin'), { waitUntil: 'commit' }), page.click('#signin')]);
  if (new URL(page.url()).origin !== tessera || !page.url().includes('/account/consent')) {
    return { consentShown: false };
  }
  await page.click('#accept');
  return { consentShown: true };
}
