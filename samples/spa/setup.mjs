// Registers what the sample needs in a local Tessera, through the admin API with the credentials of bootstrap.json
// (written by Tessera on its first start): an API with a Hello.Read scope, the single-page app on the `spa` platform,
// an administrator's consent for every user, and a demo user. Running it again updates the same objects.
import { randomBytes, randomUUID } from 'node:crypto';

const SpaName = 'Tessera SPA sample';
const ApiName = 'Tessera SPA sample API';
const ApiScope = 'Hello.Read';

/**
 * @param {{issuer: string, domain: string, clientId: string, clientSecret: string, adminScope: string, adminApi: string}} bootstrap
 * @param {string} origin  where the sample is served, e.g. http://127.0.0.1:5173
 */
export async function registerSample(bootstrap, origin) {
  const graph = await adminApi(bootstrap);

  const api = await findOrCreate(graph, ApiName, {
    api: {
      oauth2PermissionScopes: [{
        id: randomUUID(), value: ApiScope, type: 'User', isEnabled: true,
        adminConsentDisplayName: 'Read greetings', adminConsentDescription: 'Lets the app read greetings for the signed-in user.',
        userConsentDisplayName: 'Read your greetings', userConsentDescription: 'Lets the app read greetings for you.',
      }],
    },
  });
  // An identifier URI names the app id, so it can only be set once the app exists.
  await graph('PATCH', `applications/${api.id}`, { identifierUris: [`api://${api.appId}`] });

  const spa = await findOrCreate(graph, SpaName, {});
  await graph('PATCH', `applications/${spa.id}`, {
    spa: { redirectUris: [`${origin}/`, `${origin}/silent-renew.html`] },
    postLogoutRedirectUris: [`${origin}/`],
  });

  // An administrator's consent for every user: the API's scope, and sign-in itself (OpenID Connect scopes are
  // permissions on the admin API). Already granted: 409, fine.
  const adminApiApp = (await graph('GET', 'applications?$select=appId,identifierUris&$top=999'))
    .value.find((a) => a.identifierUris?.includes(bootstrap.adminApi));
  await grant(graph, spa.appId, api.appId, ApiScope);
  await grant(graph, spa.appId, adminApiApp.appId, 'openid profile offline_access');

  const user = await demoUser(graph, bootstrap.domain);
  return {
    authority: bootstrap.issuer,
    clientId: spa.appId,
    apiScope: `api://${api.appId}/${ApiScope}`,
    apiAudience: api.appId,
    user,
  };
}

async function adminApi(bootstrap) {
  const origin = new URL(bootstrap.issuer).origin;
  const metadata = await json(await fetch(`${bootstrap.issuer}/.well-known/openid-configuration`));
  const token = await json(await fetch(metadata.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: bootstrap.clientId, client_secret: bootstrap.clientSecret, scope: bootstrap.adminScope,
    }),
  }));
  return async (method, relative, body) => {
    const response = await fetch(`${origin}/admin/v1/${relative}`, {
      method,
      headers: { Authorization: `Bearer ${token.access_token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 409 && method === 'POST') {
      return null;
    }
    return response.status === 204 ? null : json(response);
  };
}

async function findOrCreate(graph, displayName, body) {
  const found = await graph('GET', `applications?$filter=${encodeURIComponent(`displayName eq '${displayName}'`)}`);
  return found.value[0] ?? graph('POST', 'applications', { displayName, ...body });
}

function grant(graph, clientId, resourceId, scope) {
  return graph('POST', 'oauth2PermissionGrants', { clientId, consentType: 'AllPrincipals', resourceId, scope });
}

// A new password on every run: the sample prints it, and nobody has to remember the last one.
async function demoUser(graph, domain) {
  const userName = `spa-demo@${domain}`;
  const password = randomBytes(12).toString('base64url');
  const existing = await graph('GET', `users?$filter=${encodeURIComponent(`userPrincipalName eq '${userName}'`)}`);
  if (existing.value.length > 0) {
    await graph('PATCH', `users/${existing.value[0].id}`, { passwordProfile: { password } });
  } else {
    await graph('POST', 'users', {
      accountEnabled: true, displayName: 'SPA demo user', userPrincipalName: userName, passwordProfile: { password },
    });
  }
  return { userName, password };
}

async function json(response) {
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${response.url}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}
