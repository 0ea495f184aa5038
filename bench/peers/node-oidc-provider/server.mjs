// node-oidc-provider as a peer in Tessera's token benchmarks: client credentials for one confidential client,
// JWT access tokens (ES256) through resource indicators, refresh tokens from a code flow for an already
// signed-in user. Nothing is logged per request.
//
//   node server.mjs <port> <client_id> <client_secret> <resource> <scope>
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, resource, scope] = process.argv.slice(2);
if (!scope) {
  console.error('usage: node server.mjs <port> <client_id> <client_secret> <resource> <scope>');
  process.exit(2);
}

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  jwks: { keys: [signingKey] },
  ttl: { ClientCredentials: 3600 },
  enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    id_token_signed_response_alg: 'ES256',
  }],
  scopes: [scope],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) {
          throw new Error(`unknown resource ${indicator}`);
        }
        return { scope, audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`node-oidc-provider ready on ${port}`));
