using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Directory.Applications;
using Tessera.Directory.Audit;
using Tessera.Directory.Users;
using Tessera.Server.Directory;
using Tessera.Server.Keys;
using Tessera.Server.SignInLogs;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// An API calling a downstream API for its user: Entra ID's on-behalf-of (<c>jwt-bearer</c>) and RFC 8693 token
/// exchange, which follow the same rules. A web app signs the user in and calls the middle-tier API with a token issued
/// to it; the middle tier exchanges that token for one to the downstream API, carrying what the middle tier was granted.
/// </summary>
public sealed class OnBehalfOfTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    public enum Grant
    {
        OnBehalfOf,
        TokenExchange,
    }

    private const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    private const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    // --- success --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Exchange_UserTokenOfTheMiddleTier_KeepsTheUserWithAzpAudAndScpNarrowed(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, chain.UserToken, $"{chain.Downstream}/Orders.Read {chain.Downstream}/Orders.ReadWrite");

        response.AssertSuccess();
        var before = new JsonWebToken(chain.UserToken);
        var token = response.Access;
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(server.Authority, token.Issuer);
        Assert.Equal(chain.DownstreamApi.AppId.ToString("D"), Assert.Single(token.Audiences));
        Assert.Equal(chain.MiddleTier.AppId.ToString("D"), token.GetClaim("azp").Value);
        Assert.Equal("1", token.GetClaim("azpacr").Value);
        Assert.Equal("Orders.Read", token.GetClaim("scp").Value);
        Assert.Equal("user", token.GetClaim("idtyp").Value);
        foreach (var claim in new[] { "sub", "oid", "tid", "name", "preferred_username", "auth_time" })
        {
            Assert.Equal(before.GetClaim(claim).Value, token.GetClaim(claim).Value);
        }

        Assert.Equal(Amr(before), Amr(token));
        Assert.NotEmpty(Amr(token));
        Assert.False(token.TryGetClaim("scope", out _));
        Assert.Null(response.RefreshToken);
        Assert.Null(response.IdToken);
        Assert.Equal($"{chain.Downstream}/Orders.Read", response.Json.GetProperty("scope").GetString());
        var validation = await TokenValidation.ValidateAsync(server, response.AccessToken, chain.DownstreamApi.AppId.ToString("D"));
        Assert.True(validation.IsValid, validation.Exception?.Message);
        if (grant == Grant.TokenExchange)
        {
            Assert.Equal(AccessTokenType, response.Json.GetProperty("issued_token_type").GetString());
            Assert.Equal("Bearer", response.Json.GetProperty("token_type").GetString());
        }
        else
        {
            // Asked for with client_info=1, as MSAL does: Entra ID's {"uid": oid, "utid": tid}.
            using var clientInfo = JsonDocument.Parse(Base64UrlEncoder.Decode(response.Json.GetProperty("client_info").GetString()!));
            Assert.Equal(chain.User.Id.ToString("D"), clientInfo.RootElement.GetProperty("uid").GetString());
            Assert.Equal(server.TenantId.ToString("D"), clientInfo.RootElement.GetProperty("utid").GetString());
        }
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Exchange_DefaultScope_CarriesEverythingGrantedToTheMiddleTier(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read Orders.ReadWrite");
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, chain.UserToken, $"{chain.Downstream}/.default");

        response.AssertSuccess();
        Assert.Equal(["Orders.Read", "Orders.ReadWrite"], response.Access.GetClaim("scp").Value.Split(' ').Order());
        Assert.Equal($"{chain.Downstream}/.default", response.Json.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("resource", false)]
    [InlineData("audience", false)]
    [InlineData("audience", true)]
    public async Task TokenExchange_ResourceOrAudience_MeansEverythingGrantedThere(string parameter, bool byAppId)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read Orders.ReadWrite");
        using var http = server.CreateHttpClient();
        var target = byAppId ? chain.DownstreamApi.AppId.ToString("D") : chain.Downstream;

        var response = await PostAsync(http, TokenExchangeFields(chain, chain.UserToken, scope: null, (parameter, target)));

        response.AssertSuccess();
        Assert.Equal(chain.DownstreamApi.AppId.ToString("D"), Assert.Single(response.Access.Audiences));
        Assert.Equal(["Orders.Read", "Orders.ReadWrite"], response.Access.GetClaim("scp").Value.Split(' ').Order());
    }

    [Fact]
    public async Task OnBehalfOf_OfflineAccessGranted_RefreshTokenTheMiddleTierCanUse()
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await server.Directory.GrantConsentAsync(chain.MiddleTier.AppId, await server.Directory.AdminApiAppIdAsync(), "openid profile offline_access");
        using var http = server.CreateHttpClient();

        // MSAL's request: the API's scopes plus openid profile offline_access.
        var response = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default openid profile offline_access");
        response.AssertSuccess();
        Assert.NotNull(response.RefreshToken);

        var refreshed = await PostAsync(http, ("grant_type", "refresh_token"), ("refresh_token", response.RefreshToken!),
            ("client_id", chain.MiddleTier.AppId.ToString("D")), ("client_secret", chain.MiddleTierSecret),
            ("scope", $"{chain.Downstream}/.default openid profile offline_access"));
        refreshed.AssertSuccess();
        Assert.Equal("Orders.Read", refreshed.Access.GetClaim("scp").Value);
        Assert.Equal(chain.MiddleTier.AppId.ToString("D"), refreshed.Access.GetClaim("azp").Value);
        Assert.Equal(chain.User.Id.ToString("D"), refreshed.Access.GetClaim("oid").Value);
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Exchange_OfflineAccessNotGrantedOrExchange_NoRefreshToken(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, chain.UserToken, $"{chain.Downstream}/.default openid profile offline_access");

        response.AssertSuccess();
        Assert.Null(response.RefreshToken);
        Assert.Null(response.IdToken);
    }

    [Fact]
    public async Task OnBehalfOf_Twice_ChainsToAThirdApi()
    {
        // The downstream API may itself call on: its token (issued to it by the first exchange) is a user token for it.
        var chain = await ArrangeAsync(granted: "Orders.Read");
        var downstreamSecret = await server.Directory.AddSecretAsync(chain.DownstreamApi.AppId);
        var third = await server.Directory.RegisterApiAsync("api://third-" + Guid.NewGuid().ToString("N")[..8]);
        await server.Directory.GrantConsentAsync(chain.DownstreamApi.AppId, third.AppId, "Orders.Read");
        using var http = server.CreateHttpClient();
        var first = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default");

        var second = await PostAsync(http, OnBehalfOfFields(chain with { MiddleTier = chain.DownstreamApi, MiddleTierSecret = downstreamSecret },
            first.AccessToken, $"{third.IdentifierUris[0]}/.default"));

        second.AssertSuccess();
        Assert.Equal(third.AppId.ToString("D"), Assert.Single(second.Access.Audiences));
        Assert.Equal(chain.DownstreamApi.AppId.ToString("D"), second.Access.GetClaim("azp").Value);
        Assert.Equal(chain.User.Id.ToString("D"), second.Access.GetClaim("oid").Value);
    }

    [Fact]
    public async Task OnBehalfOf_Certificate_AzpacrTwo()
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=middle tier", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await server.Directory.AddCertificateAsync(chain.MiddleTier.AppId, certificate);
        using var http = server.CreateHttpClient();

        var response = await PostAsync(http, ("grant_type", JwtBearer), ("requested_token_use", "on_behalf_of"), ("assertion", chain.UserToken),
            ("scope", $"{chain.Downstream}/.default"), ("client_id", chain.MiddleTier.AppId.ToString("D")),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", ClientAssertion(chain.MiddleTier.AppId, certificate)));

        response.AssertSuccess();
        Assert.Equal("2", response.Access.GetClaim("azpacr").Value);
    }

    [Fact]
    public async Task OnBehalfOf_Success_LoggedAsTheUsersNonInteractiveSignInToTheMiddleTier()
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = server.CreateHttpClient();
        (await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default")).AssertSuccess();
        await server.Directory.SetUserEnabledAsync(chain.User.Id, enabled: false);
        (await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default")).AssertError("invalid_grant", "TSR2018");

        await server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();
        var events = await server.Directory.QueryAsync(db => db.SignInEvents.AsNoTracking()
            .Where(e => e.AppId == chain.MiddleTier.AppId).OrderBy(e => e.CreatedDateTime).ToListAsync());

        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal(chain.User.Id, e.UserId);
            Assert.Equal(SignInEventTypes.NonInteractiveUser, e.SignInEventType);
            Assert.False(e.IsInteractive);
        });
        Assert.Equal(0, events[0].ErrorCode);
        Assert.Equal(chain.DownstreamApi.AppId, events[0].ResourceId);
        Assert.Equal(50057, events[1].ErrorCode);
    }

    [Fact]
    public async Task Discovery_GrantTypes_AdvertiseBothAndStillNoPasswordOrImplicit()
    {
        using var http = server.CreateHttpClient();
        using var discovery = JsonDocument.Parse(await http.GetStringAsync($"{server.Authority}/.well-known/openid-configuration"));

        var grants = discovery.RootElement.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()).ToList();

        Assert.Contains(JwtBearer, grants);
        Assert.Contains(TokenExchange, grants);
        Assert.DoesNotContain("password", grants);
        Assert.DoesNotContain("implicit", grants);
        Assert.DoesNotContain("token", discovery.RootElement.GetProperty("response_types_supported").EnumerateArray().Select(g => g.GetString()));
    }

    // --- the user's token ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Refused_TokenIssuedToAnotherClient_TSR2060(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = server.CreateHttpClient();

        // The token the first exchange issued is for the downstream API: the middle tier may not exchange it again...
        var downstreamToken = (await ExchangeAsync(http, grant, chain, chain.UserToken, $"{chain.Downstream}/.default")).AccessToken;
        var again = await ExchangeAsync(http, grant, chain, downstreamToken, $"{chain.Downstream}/.default");

        // ...and the web app may not exchange the token it got for the middle tier (it is its azp, not its aud).
        var webApp = await PostAsync(http, grant == Grant.OnBehalfOf
            ? OnBehalfOfFields(chain with { MiddleTier = chain.Web.Application, MiddleTierSecret = chain.Web.Secret! }, chain.UserToken, $"{chain.Downstream}/.default")
            : TokenExchangeFields(chain with { MiddleTier = chain.Web.Application, MiddleTierSecret = chain.Web.Secret! }, chain.UserToken, $"{chain.Downstream}/.default"));

        again.AssertError("invalid_grant", "TSR2060");
        webApp.AssertError("invalid_grant", "TSR2060");
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Refused_AppOnlyToken_TSR2061(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = server.CreateHttpClient();
        var appOnly = await PostAsync(http, ("grant_type", "client_credentials"), ("scope", $"{chain.MiddleTierId}/.default"),
            ("client_id", chain.MiddleTier.AppId.ToString("D")), ("client_secret", chain.MiddleTierSecret));
        appOnly.AssertSuccess();
        Assert.Equal(chain.MiddleTier.AppId.ToString("D"), Assert.Single(appOnly.Access.Audiences));

        var response = await ExchangeAsync(http, grant, chain, appOnly.AccessToken, $"{chain.Downstream}/.default");

        response.AssertError("invalid_grant", "TSR2061");
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf, "id_token")]
    [InlineData(Grant.TokenExchange, "id_token")]
    [InlineData(Grant.OnBehalfOf, "refresh_token")]
    [InlineData(Grant.TokenExchange, "refresh_token")]
    [InlineData(Grant.OnBehalfOf, "garbage")]
    [InlineData(Grant.OnBehalfOf, "tampered")]
    public async Task Refused_NotAnAccessTokenOfThisTenant_TSR2058(Grant grant, string kind)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        var presented = kind switch
        {
            "id_token" => chain.UserTokens.IdToken!,
            "refresh_token" => chain.UserTokens.RefreshToken!,
            "tampered" => Tamper(chain.UserToken),
            _ => "not-a-token",
        };
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, presented, $"{chain.Downstream}/.default");

        response.AssertError("invalid_grant", "TSR2058");
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Refused_SignedByAnotherKey_TSR2058(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Mint(chain, new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = TesseraKeyId() }, SecurityAlgorithms.EcdsaSha256),
            server.Authority, DateTimeOffset.UtcNow.AddMinutes(-1));
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, forged, $"{chain.Downstream}/.default");

        response.AssertError("invalid_grant", "TSR2058");
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf, false, null)]
    [InlineData(Grant.OnBehalfOf, true, "TSR2059")]
    [InlineData(Grant.TokenExchange, false, null)]
    [InlineData(Grant.TokenExchange, true, "TSR2059")]
    public async Task Lifetime_ExpiredToken_TSR2059AndTheSameTokenInLifetimeAccepted(Grant grant, bool expired, string? code)
    {
        // Signed with the server's own key, so that only the lifetime differs between the two cases.
        var chain = await ArrangeAsync(granted: "Orders.Read");
        var ring = server.App.Web.Services.GetRequiredService<SigningKeyRing>();
        var token = Mint(chain, ring.Active, server.Authority, DateTimeOffset.UtcNow.AddMinutes(expired ? -90 : -1));
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, token, $"{chain.Downstream}/.default");

        if (code is null)
        {
            response.AssertSuccess();
        }
        else
        {
            response.AssertError("invalid_grant", code);
        }
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Refused_TokenOfAnotherTenant_TSR2058(Grant grant)
    {
        // Same server, same keys: only the issuer tells the tenants apart, and it is checked.
        var chain = await ArrangeAsync(granted: "Orders.Read");
        var other = await server.Directory.CreateTenantAsync($"obo-{Guid.NewGuid():N}"[..14] + ".example");
        var ring = server.App.Web.Services.GetRequiredService<SigningKeyRing>();
        var token = Mint(chain, ring.Active, $"{server.Origin}/{other.TenantId:D}/v2.0", DateTimeOffset.UtcNow.AddMinutes(-1));
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, token, $"{chain.Downstream}/.default");

        response.AssertError("invalid_grant", "TSR2058");
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf, true)]
    [InlineData(Grant.TokenExchange, true)]
    [InlineData(Grant.OnBehalfOf, false)]
    public async Task Refused_SignInEnded_TSR2062(Grant grant, bool sessionsRevoked)
    {
        // The user's token still validates at APIs until it expires, but the sign-in it came from has ended: by the
        // user's sessions being revoked, or by the consent to the web app being withdrawn (its sessions end with it).
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await using (var scope = server.App.Web.Services.CreateAsyncScope())
        {
            if (sessionsRevoked)
            {
                await Tessera.Server.Security.SignInSessions.RevokeAsync(chain.User.Id,
                    scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictAuthorizationManager>(),
                    scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictTokenManager>(), default);
            }
            else
            {
                await scope.ServiceProvider.GetRequiredService<Tessera.Server.Consent.PermissionGrants>()
                    .RevokeSessionsAsync(chain.Web.Application.AppId, chain.User.Id, default);
            }
        }

        using var http = server.CreateHttpClient();
        var response = await ExchangeAsync(http, grant, chain, chain.UserToken, $"{chain.Downstream}/.default");

        response.AssertError("invalid_grant", "TSR2062");
    }

    [Fact]
    public async Task RevokedSessions_OnBehalfOfRefreshTokenDiesWithTheUsersOtherGrants()
    {
        // JWT access tokens are not stored and live out their short lifetime; what on-behalf-of stored (the middle
        // tier's refresh token) is revoked with everything else of the user.
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await server.Directory.GrantConsentAsync(chain.MiddleTier.AppId, await server.Directory.AdminApiAppIdAsync(), "offline_access");
        using var http = server.CreateHttpClient();
        var response = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default offline_access");
        response.AssertSuccess();

        await using (var scope = server.App.Web.Services.CreateAsyncScope())
        {
            await Tessera.Server.Security.SignInSessions.RevokeAsync(chain.User.Id,
                scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictAuthorizationManager>(),
                scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictTokenManager>(), default);
        }

        var refreshed = await PostAsync(http, ("grant_type", "refresh_token"), ("refresh_token", response.RefreshToken!),
            ("client_id", chain.MiddleTier.AppId.ToString("D")), ("client_secret", chain.MiddleTierSecret));
        refreshed.AssertError("invalid_grant");
    }

    // --- the user, the grants, the downstream API ----------------------------------------------------------------------

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Refused_UserDisabled_TSR2018(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await server.Directory.SetUserEnabledAsync(chain.User.Id, enabled: false);
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, chain.UserToken, $"{chain.Downstream}/.default");

        response.AssertError("invalid_grant", "TSR2018");
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf, null, "/.default")]
    [InlineData(Grant.OnBehalfOf, "Orders.Read", "/Orders.ReadWrite")]
    [InlineData(Grant.TokenExchange, null, "/.default")]
    public async Task Refused_NothingGranted_InvalidGrantConsentRequired(Grant grant, string? granted, string scope)
    {
        var chain = await ArrangeAsync(granted);
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, chain.UserToken, chain.Downstream + scope);

        response.AssertError("invalid_grant", "TSR2063");
        Assert.Equal("consent_required", response.Json.GetProperty("suberror").GetString());
        Assert.Contains(chain.MiddleTier.DisplayName, response.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_GrantToTheWebAppOnly_DoesNotCountForTheMiddleTier()
    {
        // The web app holds Orders.Read on the downstream API for everyone; the middle tier holds nothing there.
        var chain = await ArrangeAsync(granted: null);
        await server.Directory.GrantConsentAsync(chain.Web.Application.AppId, chain.DownstreamApi.AppId, "Orders.Read");
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/Orders.Read");

        response.AssertError("invalid_grant", "TSR2063");
    }

    [Fact]
    public async Task GrantForThisUserOnly_CountsForThatUserOnly()
    {
        var chain = await ArrangeAsync(granted: null);
        await server.Directory.GrantConsentAsync(chain.MiddleTier.AppId, chain.DownstreamApi.AppId, "Orders.ReadWrite", chain.User.Id);
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default");

        response.AssertSuccess();
        Assert.Equal("Orders.ReadWrite", response.Access.GetClaim("scp").Value);
    }

    [Theory]
    [InlineData(Grant.OnBehalfOf)]
    [InlineData(Grant.TokenExchange)]
    public async Task Refused_DownstreamApiDisabled_TSR2029(Grant grant)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await SetServicePrincipalAsync(chain.DownstreamApi.AppId, enabled: false, assignmentRequired: false);
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, grant, chain, chain.UserToken, $"{chain.Downstream}/.default");

        response.AssertError("invalid_scope", "TSR2029");
    }

    [Fact]
    public async Task Refused_DownstreamApiRequiresAssignment_UserNotAssigned_TSR2031ThenAssignedAccepted()
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await SetServicePrincipalAsync(chain.DownstreamApi.AppId, enabled: true, assignmentRequired: true);
        using var http = server.CreateHttpClient();

        var refused = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default");
        await server.Directory.AssignAsync(chain.User.Id, "User", chain.DownstreamApi.AppId, "Orders.Approver");
        var accepted = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default");

        refused.AssertError("invalid_grant", "TSR2031");
        accepted.AssertSuccess();
        Assert.Contains("Orders.Approver", accepted.Access.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
    }

    [Fact]
    public async Task Refused_MiddleTierDisabled_TSR2028()
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        await SetServicePrincipalAsync(chain.MiddleTier.AppId, enabled: false, assignmentRequired: false);
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken, $"{chain.Downstream}/.default");

        response.AssertError("invalid_client", "TSR2028");
    }

    [Theory]
    [InlineData("api://nowhere-to-be-found/.default", "invalid_scope", "TSR2009")]
    [InlineData("{downstream}/Orders.Delete", "invalid_scope", "TSR2013")]
    [InlineData("openid profile offline_access", "invalid_request", "TSR2052")]
    [InlineData("{downstream}/.default {middle}/.default", "invalid_scope", "TSR2010")]
    public async Task Refused_ScopeNamesNoSingleKnownApi(string scope, string error, string code)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        using var http = server.CreateHttpClient();

        var response = await ExchangeAsync(http, Grant.OnBehalfOf, chain, chain.UserToken,
            scope.Replace("{downstream}", chain.Downstream, StringComparison.Ordinal).Replace("{middle}", chain.MiddleTierId, StringComparison.Ordinal));

        response.AssertError(error, code);
    }

    // --- the request ----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("no requested_token_use", "invalid_request", "TSR2050")]
    [InlineData("requested_token_use=other", "invalid_request", "TSR2050")]
    [InlineData("no assertion", "invalid_request", "TSR2051")]
    [InlineData("no scope", "invalid_request", "TSR2052")]
    [InlineData("no client secret", "invalid_client", "TSR2057")]
    [InlineData("wrong client secret", "invalid_client", null)]
    public async Task OnBehalfOf_MalformedRequest_Refused(string change, string error, string? code)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        var fields = OnBehalfOfFields(chain, chain.UserToken, $"{chain.Downstream}/.default").ToList();
        switch (change)
        {
            case "no requested_token_use": fields.RemoveAll(f => f.Name == "requested_token_use"); break;
            case "requested_token_use=other": fields[fields.FindIndex(f => f.Name == "requested_token_use")] = ("requested_token_use", "other"); break;
            case "no assertion": fields.RemoveAll(f => f.Name == "assertion"); break;
            case "no scope": fields.RemoveAll(f => f.Name == "scope"); break;
            case "no client secret": fields.RemoveAll(f => f.Name == "client_secret"); break;
            case "wrong client secret": fields[fields.FindIndex(f => f.Name == "client_secret")] = ("client_secret", chain.MiddleTierSecret + "x"); break;
        }

        using var http = server.CreateHttpClient();
        var response = await PostAsync(http, [.. fields]);

        response.AssertError(error, code);
    }

    [Theory]
    [InlineData("no subject_token", "invalid_request", "TSR2051")]
    [InlineData("subject_token_type=id_token", "invalid_request", "TSR2053")]
    [InlineData("no subject_token_type", "invalid_request", "TSR2053")]
    [InlineData("actor_token", "invalid_request", "TSR2054")]
    [InlineData("requested_token_type=refresh_token", "invalid_request", "TSR2055")]
    [InlineData("no target", "invalid_request", "TSR2052")]
    [InlineData("resource and scope disagree", "invalid_target", "TSR2056")]
    [InlineData("two resources", "invalid_target", "TSR2056")]
    [InlineData("public client", "invalid_client", "TSR2057")]
    public async Task TokenExchange_MalformedRequest_Refused(string change, string error, string code)
    {
        var chain = await ArrangeAsync(granted: "Orders.Read");
        var fields = TokenExchangeFields(chain, chain.UserToken, $"{chain.Downstream}/.default").ToList();
        void Set(string name, string value) => fields[fields.FindIndex(f => f.Name == name)] = (name, value);
        switch (change)
        {
            case "no subject_token": fields.RemoveAll(f => f.Name == "subject_token"); break;
            case "subject_token_type=id_token": Set("subject_token_type", "urn:ietf:params:oauth:token-type:id_token"); break;
            case "no subject_token_type": fields.RemoveAll(f => f.Name == "subject_token_type"); break;
            case "actor_token": fields.AddRange([("actor_token", chain.UserToken), ("actor_token_type", AccessTokenType)]); break;
            case "requested_token_type=refresh_token": fields.Add(("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token")); break;
            case "no target": fields.RemoveAll(f => f.Name == "scope"); break;
            case "resource and scope disagree": fields.Add(("resource", chain.MiddleTierId)); break;
            case "two resources": fields.RemoveAll(f => f.Name == "scope"); fields.AddRange([("resource", chain.Downstream), ("audience", chain.MiddleTierId)]); break;
            case "public client":
                var spa = await CodeFlowClient.RegisterAsync(server, confidential: false);
                fields.RemoveAll(f => f.Name is "client_id" or "client_secret");
                fields.Add(("client_id", spa.ClientId));
                break;
        }

        using var http = server.CreateHttpClient();
        var response = await PostAsync(http, [.. fields]);

        response.AssertError(error, code);
    }

    [Fact]
    public async Task PasswordGrant_StillRefused()
    {
        using var http = server.CreateHttpClient();
        var response = await PostAsync(http, ("grant_type", "password"), ("username", "someone"), ("password", "secret"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret));
        response.AssertError("unsupported_grant_type", "TSR2002");
    }

    // --- arrangement ----------------------------------------------------------------------------------------------------

    private Task<DelegationChain> ArrangeAsync(string? granted) => DelegationChain.ArrangeAsync(server, granted);

    private Task<TokenResponse> ExchangeAsync(HttpClient http, Grant grant, DelegationChain chain, string userToken, string scope)
        => PostAsync(http, grant == Grant.OnBehalfOf ? OnBehalfOfFields(chain, userToken, scope) : TokenExchangeFields(chain, userToken, scope));

    /// <summary>The request MSAL.NET's <c>AcquireTokenOnBehalfOf</c> sends, with a client secret.</summary>
    private static (string Name, string Value)[] OnBehalfOfFields(DelegationChain chain, string assertion, string scope)
        => [("grant_type", JwtBearer), ("requested_token_use", "on_behalf_of"), ("assertion", assertion), ("scope", scope),
            ("client_id", chain.MiddleTier.AppId.ToString("D")), ("client_secret", chain.MiddleTierSecret), ("client_info", "1")];

    private static (string Name, string Value)[] TokenExchangeFields(DelegationChain chain, string subjectToken, string? scope, params (string Name, string Value)[] extra)
        => [("grant_type", TokenExchange), ("subject_token", subjectToken), ("subject_token_type", AccessTokenType),
            .. scope is null ? Array.Empty<(string, string)>() : [("scope", scope)], .. extra,
            ("client_id", chain.MiddleTier.AppId.ToString("D")), ("client_secret", chain.MiddleTierSecret)];

    private Task<TokenResponse> PostAsync(HttpClient http, params (string Name, string Value)[] fields)
        => TokenClient.PostAsync(http, server.TokenEndpoint, fields);

    private async Task SetServicePrincipalAsync(Guid appId, bool enabled, bool assignmentRequired)
    {
        await server.Directory.QueryAsync(db => db.Applications.Where(a => a.AppId == appId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.ServicePrincipalEnabled, enabled).SetProperty(a => a.AppRoleAssignmentRequired, assignmentRequired)));
        server.App.Web.Services.GetRequiredService<Tessera.Server.Clients.ClientDirectory>().Forget(appId);
    }

    /// <summary>A user token for the middle tier as Tessera would issue it, signed with <paramref name="key"/>, issued at <paramref name="issuedAt"/> for an hour.</summary>
    private static string Mint(DelegationChain chain, SigningCredentials key, string issuer, DateTimeOffset issuedAt)
        => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = chain.MiddleTier.AppId.ToString("D"),
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = issuedAt.AddHours(1).UtcDateTime,
            TokenType = "at+jwt",
            SigningCredentials = key,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = chain.User.Id.ToString("D"), ["oid"] = chain.User.Id.ToString("D"), ["tid"] = chain.User.TenantId.ToString("D"),
                ["azp"] = chain.Web.ClientId, ["idtyp"] = "user", ["scp"] = "Orders.Read", ["ver"] = "2.0",
                ["auth_time"] = issuedAt.ToUnixTimeSeconds(), ["amr"] = new[] { "pwd" },
            },
        });

    private string TesseraKeyId() => server.App.Web.Services.GetRequiredService<SigningKeyRing>().Active.Key.KeyId;

    /// <summary>The same token with one character of its payload changed: the signature no longer matches.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = parts[1].ToCharArray();
        payload[10] = payload[10] == 'A' ? 'B' : 'A';
        return $"{parts[0]}.{new string(payload)}.{parts[2]}";
    }

    private string ClientAssertion(Guid clientId, X509Certificate2 certificate)
        => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId.ToString("D"),
            Audience = server.TokenEndpoint,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new X509SecurityKey(certificate), SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object> { ["sub"] = clientId.ToString("D"), ["jti"] = Guid.NewGuid().ToString("N") },
        });

    private static List<string> Amr(JsonWebToken token)
        => token.TryGetPayloadValue<string[]>("amr", out var values) ? [.. values] : [];
}
