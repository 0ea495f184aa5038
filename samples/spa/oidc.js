// The one place the sample configures oidc-client-ts; the page and the silent-renew iframe share it.
const { UserManager, WebStorageStateStore } = window.oidc;

/** The server's /config.json: { authority, clientId, scope, api }. */
export async function loadConfig() {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) {
    throw new Error(`/config.json: ${response.status}`);
  }
  return response.json();
}

export function createUserManager(config) {
  const origin = window.location.origin;
  // Tokens (and the PKCE verifier while a sign-in is under way) are kept in this tab's sessionStorage: they survive a
  // reload, are gone when the tab closes, are not shared with other tabs, and never touch localStorage.
  const store = new WebStorageStateStore({ store: window.sessionStorage });
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${origin}/`,
    silent_redirect_uri: `${origin}/silent-renew.html`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code', // with PKCE (S256), which oidc-client-ts always sends
    scope: config.scope,
    userStore: store,
    stateStore: store,
    automaticSilentRenew: true,
  });
}
