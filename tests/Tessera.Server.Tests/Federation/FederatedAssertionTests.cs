using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Directory;
using Tessera.Server.Federation;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Federation;

/// <summary>A server whose clock the tests move (to pass the refetch interval), and an external issuer acting as a CI system.</summary>
public sealed class FederationFixture : TesseraServerFixture, IAsyncLifetime
{
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public TestIssuer Issuer { get; private set; } = null!;

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    public new async Task InitializeAsync()
    {
        Issuer = await TestIssuer.StartAsync();
        Issuer.Now = Clock.GetUtcNow;
        await base.InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    /// <summary>Moves the clock past the shortest interval between two reads of an issuer's keys.</summary>
    public void PassRefetchInterval() => Clock.Set(Clock.GetUtcNow() + ExternalIssuerKeys.ShortestRefetch + TimeSpan.FromSeconds(1));
}

public sealed class FederatedAssertionTests(FederationFixture server) : IClassFixture<FederationFixture>
{
    private const string ExchangeAudience = "api://AzureADTokenExchange";

    /// <summary>A daemon application (admin API) trusting <paramref name="issuer"/> and <paramref name="subject"/>.</summary>
    private async Task<string> WorkloadAsync(string? issuer = null, string subject = TestIssuer.CiSubject, string audience = ExchangeAudience)
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (status, app) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "ci deploy " + Guid.NewGuid().ToString("N")[..6] });
        Assert.Equal(HttpStatusCode.Created, status);
        var (created, _) = await admin.JsonAsync(HttpMethod.Post, $"applications/{app!["id"]}/federatedIdentityCredentials",
            new { name = "ci-main", issuer = issuer ?? server.Issuer.Issuer, subject, audiences = new[] { audience } });
        Assert.Equal(HttpStatusCode.Created, created);
        return app["appId"]!.GetValue<string>();
    }

    private async Task<TokenResponse> ExchangeAsync(string clientId, string assertion, string? tokenEndpoint = null)
    {
        using var http = server.CreateHttpClient();
        return await TokenClient.PostAsync(http, tokenEndpoint ?? server.TokenEndpoint, ("grant_type", "client_credentials"), ("client_id", clientId),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
            ("scope", server.Bootstrap.AdminScope));
    }

    [Fact]
    public async Task CiToken_MatchingCredential_AppTokenForTheApplication()
    {
        var clientId = await WorkloadAsync();

        var response = await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience));

        response.AssertSuccess();
        Assert.Equal(clientId, response.Access.GetClaim("azp").Value);
        Assert.Equal("2", response.Access.GetClaim("azpacr").Value);
        Assert.Equal(server.TenantId.ToString("D"), response.Access.GetClaim("tid").Value);
        await server.App.Web.Services.GetRequiredService<Tessera.Server.SignInLogs.SignInLog>().FlushAsync();
        var logged = await server.Directory.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.SignInEvents.Where(e => e.AppId == Guid.Parse(clientId))));
        Assert.Equal("Federated identity credential", Assert.Single(logged).AuthenticationMethods);
    }

    [Fact]
    public async Task UnknownIssuer_RefusedWithoutReadingAnyKeys()
    {
        var clientId = await WorkloadAsync(issuer: "https://token.actions.githubusercontent.com");
        var reads = server.Issuer.KeySetReads;

        var response = await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience));

        response.AssertError("invalid_client", "TSR8101");
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(reads, server.Issuer.KeySetReads);
    }

    [Fact]
    public async Task WrongSubject_Refused()
    {
        var clientId = await WorkloadAsync();
        var response = await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience, subject: "repo:org/app:ref:refs/heads/feature"));
        response.AssertError("invalid_client", "TSR8102");
        Assert.Contains("repo:org/app:ref:refs/heads/feature", response.ErrorDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("repo:org/app:ref:refs/heads/*")]
    [InlineData("REPO:ORG/APP:REF:REFS/HEADS/MAIN")]
    [InlineData("repo:org/app:ref:refs/heads/main ")]
    public async Task SubjectMatchedExactly_PatternsAndCaseRefused(string trusted)
    {
        var clientId = await WorkloadAsync(subject: trusted);
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience))).AssertError("invalid_client", "TSR8102");
    }

    [Fact]
    public async Task WrongAudience_Refused()
    {
        var clientId = await WorkloadAsync();
        var response = await ExchangeAsync(clientId, server.Issuer.Issue("api://SomethingElse"));
        response.AssertError("invalid_client", "TSR8103");
    }

    [Fact]
    public async Task ExpiredAssertion_Refused()
    {
        var clientId = await WorkloadAsync();
        var expired = server.Issuer.Issue(ExchangeAudience, issuedAt: server.Clock.GetUtcNow().AddMinutes(-20), lifetime: TimeSpan.FromMinutes(10));
        (await ExchangeAsync(clientId, expired)).AssertError("invalid_client", "TSR8104");
    }

    [Fact]
    public async Task IssuedInTheFuture_Refused()
    {
        var clientId = await WorkloadAsync();
        var early = server.Issuer.Issue(ExchangeAudience, issuedAt: server.Clock.GetUtcNow().AddMinutes(10));
        (await ExchangeAsync(clientId, early)).AssertError("invalid_client", "TSR8104");
    }

    [Fact]
    public async Task ReplayedJti_SecondUseRefused()
    {
        var clientId = await WorkloadAsync();
        var token = server.Issuer.Issue(ExchangeAudience);
        (await ExchangeAsync(clientId, token)).AssertSuccess();
        (await ExchangeAsync(clientId, token)).AssertError("invalid_client", "TSR8105");
    }

    [Fact]
    public async Task NoJti_Refused()
    {
        var clientId = await WorkloadAsync();
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience, withJti: false))).AssertError("invalid_client", "TSR8110");
    }

    [Fact]
    public async Task AlgNone_Refused()
    {
        var clientId = await WorkloadAsync();
        var now = server.Clock.GetUtcNow();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"iss":"{{server.Issuer.Issuer}}","sub":"{{TestIssuer.CiSubject}}","aud":"{{ExchangeAudience}}","iat":{{now.ToUnixTimeSeconds()}},"exp":{{now.AddMinutes(5).ToUnixTimeSeconds()}},"jti":"{{Guid.NewGuid()}}"}""");
        (await ExchangeAsync(clientId, $"{header}.{payload}.")).AssertError("invalid_client", "TSR8106");
    }

    [Fact]
    public async Task SharedKeySignature_Refused()
    {
        var clientId = await WorkloadAsync();
        var shared = new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) { KeyId = "shared" };
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = server.Issuer.Issuer,
            Audience = ExchangeAudience,
            Claims = new Dictionary<string, object> { ["sub"] = TestIssuer.CiSubject, ["jti"] = Guid.NewGuid().ToString() },
            Expires = server.Clock.GetUtcNow().UtcDateTime.AddMinutes(5),
            SigningCredentials = new SigningCredentials(shared, SecurityAlgorithms.HmacSha256),
        });
        (await ExchangeAsync(clientId, token)).AssertError("invalid_client", "TSR8106");
    }

    [Fact]
    public async Task KeyNotInIssuersKeySet_RefusedAndTheSetReadAgainAtMostOncePerInterval()
    {
        var clientId = await WorkloadAsync();
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience))).AssertSuccess();
        server.PassRefetchInterval();
        var reads = server.Issuer.KeySetReads;

        var forged = TestIssuer.UnpublishedKey();
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience, key: forged))).AssertError("invalid_client", "TSR8107");
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience, key: forged))).AssertError("invalid_client", "TSR8107");

        // The first unknown key read the set again; the second, moments later, did not.
        Assert.Equal(reads + 1, server.Issuer.KeySetReads);
    }

    [Fact]
    public async Task IssuerRotatesItsKey_NewKeyFetchedOnFirstUse_NoFailedRequest()
    {
        var clientId = await WorkloadAsync();
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience))).AssertSuccess();
        server.PassRefetchInterval();

        server.Issuer.AddKey();
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience))).AssertSuccess();
    }

    [Fact]
    public async Task SignedByOtherKeyClaimingIssuer_SameKidAsPublished_SignatureRefused()
    {
        var clientId = await WorkloadAsync();
        var impostor = TestIssuer.UnpublishedKey();
        impostor.KeyId = server.Issuer.SigningKey.KeyId;
        (await ExchangeAsync(clientId, server.Issuer.Issue(ExchangeAudience, key: impostor))).AssertError("invalid_client", "TSR8108");
    }

    [Fact]
    public async Task TokenForOneApplication_PresentedForAnother_Refused()
    {
        await WorkloadAsync();
        var other = await WorkloadAsync(subject: "repo:org/other:ref:refs/heads/main");
        (await ExchangeAsync(other, server.Issuer.Issue(ExchangeAudience))).AssertError("invalid_client", "TSR8102");
    }

    [Fact]
    public async Task SecondTesseraTenant_AsIssuer_ItsWorkloadBecomesTheApplication()
    {
        // Tenant B: an API standing for the exchange (identifier URI api://AzureADTokenExchange) and a workload with a
        // secret there. B's access tokens carry the API's application id as aud (as v2.0 tokens do): that is what
        // the credential in this tenant trusts, with B's issuer and the workload's object id (sub).
        var other = await server.Directory.CreateTenantAsync($"fic-{Guid.NewGuid():N}"[..16] + ".example");
        var exchange = await other.RegisterAsync(new NewApplication("token exchange") { IdentifierUris = [ExchangeAudience] });
        var workload = await other.RegisterAsync(new NewApplication("workload in B"));
        var secret = await other.AddSecretAsync(workload.AppId);
        using var http = server.CreateHttpClient();
        var inB = await TokenClient.PostAsync(http, server.TokenEndpoint.Replace(server.TenantId.ToString("D"), other.TenantId.ToString("D"), StringComparison.Ordinal),
            ("grant_type", "client_credentials"), ("client_id", workload.AppId.ToString("D")), ("client_secret", secret),
            ("scope", ExchangeAudience + "/.default"));
        inB.AssertSuccess();
        var issuerB = $"{server.Origin}/{other.TenantId:D}/v2.0";
        Assert.Equal(issuerB, inB.Access.Issuer);

        var clientId = await WorkloadAsync(issuer: issuerB, subject: inB.Access.Subject, audience: exchange.AppId.ToString("D"));
        var response = await ExchangeAsync(clientId, inB.AccessToken);

        response.AssertSuccess();
        Assert.Equal(clientId, response.Access.GetClaim("azp").Value);
        Assert.Equal(server.TenantId.ToString("D"), response.Access.GetClaim("tid").Value);
    }

    [Fact]
    public async Task SecondTesseraTenant_TokenForAnotherApi_WrongAudience()
    {
        var other = await server.Directory.CreateTenantAsync($"fic-{Guid.NewGuid():N}"[..16] + ".example");
        var exchange = await other.RegisterAsync(new NewApplication("token exchange") { IdentifierUris = [ExchangeAudience] });
        var unrelated = await other.RegisterApiAsync("api://orders-" + Guid.NewGuid().ToString("N")[..6]);
        var workload = await other.RegisterAsync(new NewApplication("workload in B"));
        var secret = await other.AddSecretAsync(workload.AppId);
        using var http = server.CreateHttpClient();
        var inB = await TokenClient.PostAsync(http, server.TokenEndpoint.Replace(server.TenantId.ToString("D"), other.TenantId.ToString("D"), StringComparison.Ordinal),
            ("grant_type", "client_credentials"), ("client_id", workload.AppId.ToString("D")), ("client_secret", secret),
            ("scope", unrelated.IdentifierUris[0] + "/.default"));
        inB.AssertSuccess();

        var clientId = await WorkloadAsync(issuer: inB.Access.Issuer, subject: inB.Access.Subject, audience: exchange.AppId.ToString("D"));
        (await ExchangeAsync(clientId, inB.AccessToken)).AssertError("invalid_client", "TSR8103");
    }
}
