// Tessera single-page app sample: authorization code + PKCE with oidc-client-ts, an API called with the access
// token, renewal with the refresh token or silently (prompt=none), and sign-out. No framework, no bundler.
import { createUserManager, loadConfig } from './oidc.js';

const $ = (id) => document.getElementById(id);
const config = await loadConfig();
const userManager = createUserManager(config);

function show(action, value) {
  $('output').textContent = JSON.stringify(value, null, 2);
  $('output').dataset.action = action;
  $('error').textContent = '';
}

function fail(action, error) {
  $('error').textContent = `${action}: ${error.error ?? error.name ?? 'Error'}: ${error.error_description ?? error.message}`;
  $('error').dataset.action = action;
  document.body.dataset.state = 'error';
}

// What the page knows about the signed-in user; never the tokens themselves.
function summary(user) {
  return {
    name: user.profile.name,
    preferred_username: user.profile.preferred_username,
    oid: user.profile.oid,
    tid: user.profile.tid,
    scope: user.scope,
    expires_at: new Date(user.expires_at * 1000).toISOString(),
    has_refresh_token: Boolean(user.refresh_token),
  };
}

async function render() {
  const user = await userManager.getUser();
  const signedIn = Boolean(user && !user.expired);
  $('status').textContent = signedIn
    ? `Signed in as ${user.profile.name ?? user.profile.preferred_username} (${user.profile.preferred_username})`
    : 'Signed out';
  $('signed-in-actions').hidden = !signedIn;
  $('signed-out-actions').hidden = signedIn;
  if (!$('error').textContent) {
    document.body.dataset.state = signedIn ? 'signed-in' : 'signed-out';
  }
}

async function run(action, work) {
  try {
    show(action, await work());
  } catch (error) {
    fail(action, error);
    return;
  }
  await render();
}

// Back from Tessera: a sign-in response (?code or ?error) or the return from sign-out (?state alone).
const query = new URLSearchParams(window.location.search);
if (query.has('code') || query.has('error')) {
  await run('signin', async () => summary(await userManager.signinCallback()));
  window.history.replaceState(null, '', '/');
} else if (query.has('state')) {
  await run('signout', async () => {
    await userManager.signoutCallback();
    return { signedOut: true };
  });
  window.history.replaceState(null, '', '/');
}

$('signin').addEventListener('click', () => userManager.signinRedirect().catch((e) => fail('signin', e)));

$('call-api').addEventListener('click', () => run('api', async () => {
  const user = await userManager.getUser();
  const response = await fetch(config.api, { headers: { Authorization: `Bearer ${user.access_token}` } });
  const body = await response.json();
  if (!response.ok) {
    throw Object.assign(new Error(body.error_description ?? response.statusText), { error: body.error ?? response.status });
  }
  return body;
}));

$('renew').addEventListener('click', () => run('renew', async () => ({
  renewedWith: 'refresh_token',
  ...summary(await userManager.signinSilent()),
})));

$('renew-iframe').addEventListener('click', () => run('renew-iframe', async () => ({
  renewedWith: 'prompt=none',
  ...summary(await userManager.signinSilent({ forceIframeAuth: true })),
})));

// With state, the return to this page is recognised (and checked) by signoutCallback().
$('signout').addEventListener('click', () => userManager.signoutRedirect({ state: { at: Date.now() } }).catch((e) => fail('signout', e)));

await render();
