// The sample's whole back end, on loopback: the page's static files, oidc-client-ts's browser build as it ships,
// /config.json for the page, and /api/hello, an API that accepts Tessera access tokens (validated with jose).
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

const here = path.dirname(fileURLToPath(import.meta.url));
const oidcClientTs = path.join(
  path.dirname(createRequire(import.meta.url).resolve('oidc-client-ts/package.json')), 'dist', 'browser', 'oidc-client-ts.min.js');

// Every file the server serves, and nothing else: no directory listing, no path from the request reaches the disk.
const files = new Map([
  ['/', [path.join(here, 'index.html'), 'text/html; charset=utf-8']],
  ['/index.html', [path.join(here, 'index.html'), 'text/html; charset=utf-8']],
  ['/silent-renew.html', [path.join(here, 'silent-renew.html'), 'text/html; charset=utf-8']],
  ['/app.js', [path.join(here, 'app.js'), 'text/javascript; charset=utf-8']],
  ['/oidc.js', [path.join(here, 'oidc.js'), 'text/javascript; charset=utf-8']],
  ['/silent-renew.js', [path.join(here, 'silent-renew.js'), 'text/javascript; charset=utf-8']],
  ['/app.css', [path.join(here, 'app.css'), 'text/css; charset=utf-8']],
  ['/favicon.svg', [path.join(here, 'favicon.svg'), 'image/svg+xml']],
  ['/lib/oidc-client-ts.min.js', [oidcClientTs, 'text/javascript; charset=utf-8']],
]);

/**
 * Starts the sample.
 * @param {object} options
 * @param {string} options.authority  the tenant's issuer, `{tessera}/{tenantId}/v2.0`
 * @param {string} options.clientId   the app id of the single-page app (registered on the `spa` platform)
 * @param {string} options.apiScope   the API's delegated scope, e.g. `api://{apiAppId}/Hello.Read`
 * @param {string} options.apiAudience the API's app id: the `aud` of tokens for it
 * @param {number} [options.port]     0 for any free port
 * @param {{cert: string, key: string}} [options.tls]  PEM certificate and key: serve HTTPS instead of HTTP
 * @returns {Promise<{origin: string, close: () => Promise<void>}>}
 */
export async function startSpaServer({ authority, clientId, apiScope, apiAudience, port = 5173, host = '127.0.0.1', tls }) {
  const authorityOrigin = new URL(authority).origin;
  const config = JSON.stringify({
    authority,
    clientId,
    scope: `openid profile offline_access ${apiScope}`,
    api: '/api/hello',
  });
  const api = helloApi({ authority, audience: apiAudience, scope: apiScope.split('/').pop() });

  const handler = async (request, response) => {
    // The page talks to Tessera (fetch, and the silent-renew iframe) and to itself; nothing else runs or loads.
    response.setHeader('Content-Security-Policy',
      `default-src 'self'; connect-src 'self' ${authorityOrigin}; frame-src 'self' ${authorityOrigin}; ` +
      "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; object-src 'none'");
    response.setHeader('X-Content-Type-Options', 'nosniff');
    // The authorization code is in the callback URL: never let it leave in a Referer header.
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cache-Control', 'no-store');

    const { pathname } = new URL(request.url, 'http://sample.invalid');
    try {
      if (pathname === '/api/hello') {
        return await api(request, response);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed');
      }
      if (pathname === '/config.json') {
        return send(response, 200, 'application/json', config);
      }
      const file = files.get(pathname);
      if (!file) {
        return send(response, 404, 'text/plain; charset=utf-8', 'Not found');
      }
      return send(response, 200, file[1], await readFile(file[0]));
    } catch (error) {
      console.error(error);
      return send(response, 500, 'text/plain; charset=utf-8', 'Server error');
    }
  };

  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const scheme = tls ? 'https' : 'http';
  return {
    origin: `${scheme}://${host}:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The API: a bearer token must be a Tessera access token (at+jwt) from this tenant, for this API, still valid, with
 * the delegated scope in `scp`. Errors follow RFC 6750 (WWW-Authenticate).
 */
function helloApi({ authority, audience, scope }) {
  let keys;
  const verifier = async () => {
    if (!keys) {
      const metadata = await (await fetch(`${authority}/.well-known/openid-configuration`)).json();
      keys = { issuer: metadata.issuer, jwks: createRemoteJWKSet(new URL(metadata.jwks_uri)) };
    }
    return keys;
  };

  return async (request, response) => {
    if (request.method !== 'GET') {
      return send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed');
    }
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      return sendJson(response, 401, { error: 'invalid_request', error_description: 'A bearer token is required.' });
    }

    let payload;
    try {
      const { issuer, jwks } = await verifier();
      ({ payload } = await jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt', algorithms: ['ES256', 'PS256', 'RS256'] }));
    } catch (error) {
      if (!(error instanceof errors.JOSEError)) {
        throw error;
      }
      response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      return sendJson(response, 401, { error: 'invalid_token', error_description: error.message });
    }

    const granted = String(payload.scp ?? '').split(' ');
    if (!granted.includes(scope)) {
      response.setHeader('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${scope}"`);
      return sendJson(response, 403, { error: 'insufficient_scope', error_description: `The token needs the ${scope} scope.` });
    }

    return sendJson(response, 200, {
      message: `Hello, ${payload.name ?? payload.preferred_username ?? payload.oid}!`,
      oid: payload.oid,
      tid: payload.tid,
      aud: payload.aud,
      azp: payload.azp,
      scp: payload.scp,
    });
  };
}

function sendJson(response, status, value) {
  return send(response, status, 'application/json', JSON.stringify(value));
}

function send(response, status, type, body) {
  response.writeHead(status, { 'Content-Type': type });
  response.end(body);
}
