// openid-client (v6, Node) against a real Tessera over HTTPS: discovery, client credentials (client_secret_post and
// client_secret_basic), authorization code + PKCE with a person signing in in Chromium, refresh, userinfo,
// introspection, revocation, and RP-initiated logout. Tokens are returned raw: the xunit side validates them.
import * as client from 'openid-client';
import { launchChromium, newContext, signInOnTessera } from './lib/chromium.mjs';
import { readConfig, runSteps } from './lib/run.mjs';

const config = readConfig();
let browser;
let page;
let oidc;

// The client's redirect URIs are answered inside the browser: nothing has to listen there.
async function catchRedirects(context, prefixes) {
  const caught = [];
  await context.route((url) => prefixes.some((prefix) => url.href.startsWith(prefix)), async (route) => {
    caught.push(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!DOCTYPE html><title>client</title><p>The client has the response.</p>' });
  });
  return caught;
}

async function waitForRedirect(caught, count) {
  const deadline = Date.now() + 15_000;
  while (caught.length < count) {
    if (Date.now() > deadline) {
      throw new Error(`The browser never reached the redirect URI; it is on ${page.url()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // And the page shows it: the next navigation starts from there, not from a page about to be replaced.
  await page.waitForURL(caught[count - 1], { timeout: 15_000 });
  return new URL(caught[count - 1]);
}

let caught;

// A navigation the page starts itself. (When page.goto() is redirected to another site, the redirect escapes the
// context's routes in this Chromium and the browser tries to resolve the client's host.)
function navigate(url) {
  return page.evaluate((href) => { setTimeout(() => { window.location.href = href; }, 0); }, url.href);
}

await runSteps({
  discovery: async () => {
    oidc = await client.discovery(new URL(config.issuer), config.clientId, config.clientSecret);
    const metadata = oidc.serverMetadata();
    return {
      issuer: metadata.issuer,
      authorization_endpoint: metadata.authorization_endpoint,
      token_endpoint: metadata.token_endpoint,
      end_session_endpoint: metadata.end_session_endpoint,
      supportsPKCE: metadata.supportsPKCE(),
    };
  },

  clientCredentialsPost: async () => {
    const tokens = await client.clientCredentialsGrant(oidc, { scope: config.apiDefaultScope });
    return { token_type: tokens.token_type, expires_in: tokens.expiresIn(), access_token: tokens.access_token };
  },

  clientCredentialsBasic: async () => {
    const basic = await client.discovery(new URL(config.issuer), config.clientId, undefined, client.ClientSecretBasic(config.clientSecret));
    const tokens = await client.clientCredentialsGrant(basic, { scope: config.apiDefaultScope });
    return { token_type: tokens.token_type, access_token: tokens.access_token };
  },

  authorizationCode: async () => {
    browser = await launchChromium();
    const context = await newContext(browser);
    caught = await catchRedirects(context, [config.redirectUri, config.postLogoutRedirectUri]);
    page = await context.newPage();

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(oidc, {
      redirect_uri: config.redirectUri,
      scope: `openid profile email offline_access ${config.apiScope}`,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    await page.goto(url.href);
    const { consentShown } = await signInOnTessera(page, config.userName, config.password);
    const callback = await waitForRedirect(caught, 1);

    // Checks state, the RFC 9207 iss parameter, PKCE, and the ID token's claims (iss, aud, nonce, exp, ...).
    const tokens = await client.authorizationCodeGrant(oidc, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    return {
      consentShown,
      issParameter: callback.searchParams.get('iss'),
      claims: tokens.claims(),
      scope: tokens.scope,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      id_token: tokens.id_token,
    };
  },

  refresh: async ({ authorizationCode }) => {
    const tokens = await client.refreshTokenGrant(oidc, authorizationCode.refresh_token);
    return { access_token: tokens.access_token, refresh_token: tokens.refresh_token, id_token: tokens.id_token, scope: tokens.scope };
  },

  userInfo: async ({ authorizationCode, refresh }) =>
    // The expected subject makes openid-client compare it with the ID token's.
    client.fetchUserInfo(oidc, refresh.access_token, authorizationCode.claims.sub),

  introspection: async ({ refresh }) => {
    const accessToken = await client.tokenIntrospection(oidc, refresh.access_token);
    const refreshToken = await client.tokenIntrospection(oidc, refresh.refresh_token);
    return { accessToken, refreshToken };
  },

  revocation: async ({ refresh }) => {
    await client.tokenRevocation(oidc, refresh.refresh_token, { token_type_hint: 'refresh_token' });
    try {
      await client.refreshTokenGrant(oidc, refresh.refresh_token);
      return { refusedAfterRevocation: false };
    } catch (error) {
      return { refusedAfterRevocation: true, error: error.error ?? error.message };
    }
  },

  endSession: async ({ authorizationCode }) => {
    const state = client.randomState();
    const url = client.buildEndSessionUrl(oidc, {
      id_token_hint: authorizationCode.id_token,
      post_logout_redirect_uri: config.postLogoutRedirectUri,
      state,
    });
    await navigate(url);
    const landed = await waitForRedirect(caught, 2);

    // The session is gone: a silent sign-in (prompt=none) must now come back with login_required.
    const silent = client.buildAuthorizationUrl(oidc, {
      redirect_uri: config.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      prompt: 'none',
      state: client.randomState(),
    });
    await navigate(silent);
    const afterLogout = await waitForRedirect(caught, 3);
    return {
      endSessionUrl: url.href,
      landedOn: `${landed.origin}${landed.pathname}`,
      stateReturned: landed.searchParams.get('state') === state,
      silentSignInAfterLogout: afterLogout.searchParams.get('error'),
    };
  },
}, async () => browser?.close());
