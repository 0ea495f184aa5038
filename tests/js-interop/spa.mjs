// oidc-client-ts (v3) in Debian's Chromium: the single-page app of samples/spa, served over HTTPS on loopback by the
// sample's own server, signs a person in with code + PKCE, calls its API, renews with the refresh token and silently
// with prompt=none in an iframe, and signs out. Everything the page does goes through its buttons.
import { launchChromium, newContext, signInOnTessera } from './lib/chromium.mjs';
import { readConfig, runSteps } from './lib/run.mjs';
import { readFile } from 'node:fs/promises';
import { startSpaServer } from '../../samples/spa/server.mjs';

const config = readConfig();
const Timeout = 15_000;
let spa;
let browser;
let page;
const pageErrors = [];

// The user oidc-client-ts keeps in sessionStorage, as the page would read it.
function storedUser() {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    return key ? JSON.parse(sessionStorage.getItem(key)) : null;
  });
}

// Clicks a button of the sample and waits until the page reports that action done (or failed).
async function act(button, action) {
  await page.evaluate(() => {
    delete document.getElementById('output').dataset.action;
    delete document.getElementById('error').dataset.action;
  });
  await page.click(`#${button}`);
  await page.waitForSelector(`#output[data-action="${action}"], #error[data-action="${action}"]`, { state: 'attached', timeout: Timeout });
  const error = await page.textContent('#error');
  if (error) {
    throw new Error(`The page reports: ${error}`);
  }
  return JSON.parse(await page.textContent('#output'));
}

await runSteps({
  start: async () => {
    spa = await startSpaServer({
      authority: config.issuer,
      clientId: config.clientId,
      apiScope: config.apiScope,
      apiAudience: config.apiAudience,
      port: config.port,
      tls: { cert: await readFile(config.certPath), key: await readFile(config.keyPath) },
    });
    browser = await launchChromium();
    const context = await newContext(browser);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // A browser asks every site for /favicon.ico; Tessera has none.
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) {
        pageErrors.push(message.text());
      }
    });
    return { origin: spa.origin, browser: browser.version() };
  },

  signIn: async () => {
    await page.goto(`${spa.origin}/`);
    await page.waitForSelector('body[data-state="signed-out"]', { timeout: Timeout });
    await page.click('#signin');
    const { consentShown } = await signInOnTessera(page, config.userName, config.password);
    await page.waitForSelector('body[data-state="signed-in"], body[data-state="error"]', { timeout: Timeout });
    const error = await page.textContent('#error');
    if (error) {
      throw new Error(`The page reports: ${error}`);
    }
    const user = await storedUser();
    return {
      consentShown,
      landedOn: page.url(),
      status: await page.textContent('#status'),
      shown: JSON.parse(await page.textContent('#output')),
      access_token: user.access_token,
      id_token: user.id_token,
      hasRefreshToken: Boolean(user.refresh_token),
      sessionStorageKeys: await page.evaluate(() => Object.keys(sessionStorage)),
      localStorageKeys: await page.evaluate(() => Object.keys(localStorage)),
    };
  },

  callApi: async () => act('call-api', 'api'),

  renewWithRefreshToken: async () => {
    const before = await storedUser();
    const shown = await act('renew', 'renew');
    const after = await storedUser();
    return {
      shown,
      access_token: after.access_token,
      accessTokenChanged: after.access_token !== before.access_token,
      refreshTokenRotated: Boolean(after.refresh_token) && after.refresh_token !== before.refresh_token,
    };
  },

  renewSilently: async () => {
    const before = await storedUser();
    const shown = await act('renew-iframe', 'renew-iframe');
    const after = await storedUser();
    return { shown, access_token: after.access_token, accessTokenChanged: after.access_token !== before.access_token };
  },

  callApiAfterRenewal: async () => act('call-api', 'api'),

  signOut: async () => {
    const shown = await act('signout', 'signout');
    const landedOn = page.url();
    const userAfter = await storedUser();
    // The Tessera session ended too: signing in again asks for the password.
    await page.click('#signin');
    await page.waitForURL((url) => url.origin !== spa.origin, { timeout: Timeout });
    await page.locator('#username').waitFor({ timeout: Timeout });
    return { shown, landedOn, userRemoved: userAfter === null, signInAgainAsksForPassword: true };
  },

  pageErrors: async () => pageErrors,

  // The browser itself enforces CORS: a page of this origin cannot read the token endpoint's answer to another
  // client (a web app), while it can read the answer to its own client, errors included. (In a tab of its own: the
  // refused request is reported on that tab's console, on purpose.)
  corsSeenByTheBrowser: async () => {
    const probe = await page.context().newPage();
    await probe.goto(`${spa.origin}/`);
    return probe.evaluate(async ({ tokenEndpoint, ownClientId, otherClientId }) => {
    const attempt = async (clientId) => {
      try {
        const response = await fetch(tokenEndpoint, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: 'not-a-code', code_verifier: 'x'.repeat(43), redirect_uri: `${location.origin}/` }),
        });
        return { readable: true, status: response.status, error: (await response.json()).error };
      } catch (error) {
        return { readable: false, error: error.name };
      }
    };
    return { ownClient: await attempt(ownClientId), otherClient: await attempt(otherClientId) };
    }, { tokenEndpoint: config.tokenEndpoint, ownClientId: config.clientId, otherClientId: config.otherClientId });
  },

}, async () => {
  await browser?.close();
  await spa?.close();
});
