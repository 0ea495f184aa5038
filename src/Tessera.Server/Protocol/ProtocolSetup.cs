using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using Tessera.Directory.Storage;
using Tessera.Policy.Tokens;
using Tessera.Server.Clients;
using Tessera.Server.Keys;
using Tessera.Server.MutualTls;
using Tessera.Server.Consent;
using Tessera.Server.Federation;
using Tessera.Server.Protocol.Authorize;
using Tessera.Server.Protocol.Resources;
using Tessera.Server.Protocol.Token;
using Tessera.Server.Protocol.Tokens;
using Tessera.Server.Tenancy;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.Protocol;

/// <summary>
/// OpenIddict as Tessera's protocol engine: the Entra-style endpoint paths (relative, so they sit under every
/// <c>/{tenant}</c>), the flows that exist (code + PKCE, client credentials, refresh, device code, and for APIs calling
/// APIs for their user: on-behalf-of and token exchange) and Tessera's handlers.
/// What is not registered here does not exist: no implicit flow, no password grant.
/// </summary>
public static class ProtocolSetup
{
    public static IServiceCollection AddTesseraProtocol(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<TesseraDbContext>();
                core.ReplaceApplicationManager<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, TesseraApplicationManager>();
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("oauth2/v2.0/authorize")
                    .SetTokenEndpointUris("oauth2/v2.0/token")
                    .SetDeviceAuthorizationEndpointUris("oauth2/v2.0/devicecode")
                    .SetEndUserVerificationEndpointUris("devicelogin")
                    .SetEndSessionEndpointUris("oauth2/v2.0/logout")
                    .SetRevocationEndpointUris("oauth2/v2.0/revoke")
                    .SetIntrospectionEndpointUris("oauth2/v2.0/introspect")
                    .SetUserInfoEndpointUris("oidc/userinfo")
                    .SetConfigurationEndpointUris("v2.0/.well-known/openid-configuration")
                    .SetJsonWebKeySetEndpointUris("discovery/v2.0/keys");

                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess);
                server.RegisterClaims(
                    Claims.Subject, TesseraClaims.ObjectId, TesseraClaims.TenantId, TesseraClaims.Name, TesseraClaims.PreferredUsername,
                    TesseraClaims.Email, TesseraClaims.AuthenticationTime, TesseraClaims.AuthenticationMethods, TesseraClaims.AuthenticationContextClass, TesseraClaims.Version,
                    TesseraClaims.AuthorizedParty, TesseraClaims.Scope, TesseraClaims.Roles, TesseraClaims.Groups, TesseraClaims.AdminRoles,
                    TesseraClaims.IdentityType);
                server.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow().AllowRefreshTokenFlow().AllowDeviceAuthorizationFlow();

                // An API calling another API for its user: Entra ID's on-behalf-of (a jwt-bearer grant, custom to
                // OpenIddict) and RFC 8693 token exchange; both take an access token of this tenant and give one back.
                server.AllowCustomFlow(Delegation.JwtBearerGrantType).AllowTokenExchangeFlow();

                server.RequireProofKeyForCodeExchange();
                server.UseTesseraMutualTls();
                server.SetAuthorizationCodeLifetime(TokenLifetimes.AuthorizationCode)
                    .SetAccessTokenLifetime(TokenLifetimes.AccessTokenMaximum)
                    .SetIdentityTokenLifetime(TokenLifetimes.IdentityToken)
                    .SetRefreshTokenLifetime(TokenLifetimes.RefreshToken)
                    .SetDeviceCodeLifetime(TokenLifetimes.DeviceCode)
                    .SetUserCodeLifetime(TokenLifetimes.DeviceCode);

                // Any replay of a rotated refresh token revokes its whole family: no grace period.
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                // Scopes name APIs registered in the directory; Tessera checks them itself, per tenant.
                server.DisableScopeValidation();
                server.IgnoreScopePermissions();
                server.IgnoreResourcePermissions();
                server.IgnoreAudiencePermissions();
                server.DisableAccessTokenEncryption();

                // Codes and refresh tokens are sealed with the Data Protection key ring in the database (shared by
                // every node); access tokens are JWTs signed by the key ring's active ES256 key.
                server.UseDataProtection().PreferDefaultAccessTokenFormat();

                // OpenIddict insists on an encryption key even though nothing above encrypts with it (codes and
                // refresh tokens use Data Protection, access tokens are signed only): an in-memory one satisfies it.
                server.AddEphemeralEncryptionKey();

                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    // Errors that cannot go back to the client are shown as a page (see ErrorHandling).
                    .EnableStatusCodePagesIntegration()
                    // Tessera's own middleware allows plain HTTP only on loopback and refuses it elsewhere.
                    .DisableTransportSecurityRequirement();

                server.AddEventHandler(RejectImplicitFlow.Descriptor);
                server.AddEventHandler(RequireS256CodeChallenge.Descriptor);
                server.AddEventHandler(RejectPasswordGrant.Descriptor);
                server.AddEventHandler(AcceptScopeOnCodeRedemption.Descriptor);
                server.AddEventHandler(AcceptShortDeviceCodeGrantType.Descriptor);
                server.AddEventHandler(Introspection.RequireConfidentialClient.Descriptor);
                server.AddEventHandler(EnsureClientInTenant.Descriptor);
                server.AddEventHandler(RejectDisabledClients.Descriptor);
                server.AddEventHandler(RequireCertificateForBoundClients.Descriptor);
                server.AddEventHandler(DescribeMutualTlsRefusals.Descriptor);
                server.AddEventHandler(AdvertiseMutualTls.Descriptor);
                server.AddEventHandler(AcceptFederatedClientAssertions.Descriptor);
                server.AddEventHandler(AcceptStandardClientAssertions.Descriptor);
                server.AddEventHandler(TypeGenericAssertionsAsClientAssertions.Descriptor);
                server.AddEventHandler(RejectReplayedClientAssertions.Descriptor);
                server.AddEventHandler(ReportBadClientAssertionsAsInvalidClient.Descriptor);
                server.AddEventHandler(SkipAccessTokenStorage.Descriptor);
                server.AddEventHandler(RemoveApiScopesFromScopeClaim.Descriptor);
                server.AddEventHandler(ReportGrantedScopes.Descriptor);
                server.AddEventHandler(ValidateOnBehalfOfParameters.Descriptor);
                server.AddEventHandler(ValidateTokenExchangeRequest.Descriptor);
                server.AddEventHandler(RequireConfidentialCaller.Descriptor);
                server.AddEventHandler(ValidateUserToken.Descriptor);
                server.AddEventHandler(RequireUserTokenForCaller.Descriptor);
                server.AddEventHandler(EchoClientCapabilities.Descriptor);
                server.AddEventHandler(UseActiveSigningKey.Descriptor);
                server.AddEventHandler(PublishSigningKeys.Descriptor);
                server.AddEventHandler(TrustPublishedSigningKeys.Descriptor);
                server.AddEventHandler(Discovery.AdvertiseCliClient.Descriptor);
                server.AddEventHandler(Discovery.AdvertiseAuthenticationStrengths.Descriptor);
            });

        services.AddOptions<OpenIddictServerOptions>().Configure<SigningKeyRing>((options, ring) =>
        {
            // OpenIddict insists on a signing key at start; the handlers above use the ring's current one.
            options.SigningCredentials.Add(ring.Active);
            options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);

            // Token exchange takes this tenant's access tokens only, with no actor, and gives access tokens only.
            options.SubjectTokenTypes.IntersectWith([TokenTypeIdentifiers.AccessToken]);
            options.ActorTokenTypes.Clear();
        });

        services.AddHttpContextAccessor();
        services.AddSingleton<ILogger<OpenIddictServerDispatcher>, TokenFreeProtocolLog>();
        services.AddScoped<IOpenIddictServerFactory, TenantServerFactory>();
        services.AddScoped<ResourceDirectory>();
        services.AddScoped<ConsentService>();
        services.AddScoped<PermissionGrants>();
        services.AddScoped<AdminConsent>();
        services.AddScoped<AdminRoleLookup>();
        services.AddScoped<GroupLookup>();
        services.AddScoped<DelegatedGrant>();
        services.AddSingleton<ClientDirectory>();
        services.AddTesseraFederation();
        return services;
    }
}
