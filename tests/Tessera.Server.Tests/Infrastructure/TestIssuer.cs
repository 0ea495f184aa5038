using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// An external OpenID Connect issuer on a loopback port, acting as a CI system does: it serves a discovery document and
/// a key set, and signs short-lived workload tokens (<c>iss</c>, <c>sub: repo:org/app:ref:refs/heads/main</c>,
/// <c>aud</c>, <c>jti</c>) with ES256. Keys can be rotated (the new one published beside the old) to test refetching.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string CiSubject = "repo:org/app:ref:refs/heads/main";

    private readonly WebApplication _app;
    private readonly List<(string Kid, ECDsaSecurityKey Key)> _published = [];
    private int _keySetReads;

    private TestIssuer(WebApplication app) => _app = app;

    /// <summary><c>http://127.0.0.1:{port}</c>: the issuer, exactly as its tokens and discovery document name it.</summary>
    public string Issuer { get; private set; } = string.Empty;

    /// <summary>The issuer's clock: the server's, when the test moves it.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>How many times the key set was read.</summary>
    public int KeySetReads => Volatile.Read(ref _keySetReads);

    /// <summary>The key new tokens are signed with: the last one added.</summary>
    public ECDsaSecurityKey SigningKey => _published[^1].Key;

    public static async Task<TestIssuer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRouting();
        var app = builder.Build();
        var issuer = new TestIssuer(app);
        issuer.AddKey();
        app.UseRouting();
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer.Issuer,
            ["jwks_uri"] = issuer.Issuer + "/keys",
            ["response_types_supported"] = new[] { "id_token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "ES256" },
        }));
        app.MapGet("/keys", () =>
        {
            Interlocked.Increment(ref issuer._keySetReads);
            List<(string Kid, ECDsaSecurityKey Key)> published;
            lock (issuer._published)
            {
                published = [.. issuer._published];
            }

            var keys = published.Select(p =>
            {
                var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(p.Key);
                return new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y, ["kid"] = p.Kid, ["use"] = "sig", ["alg"] = "ES256" };
            });
            return Results.Json(new { keys });
        });
        await app.StartAsync();
        issuer.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return issuer;
    }

    /// <summary>Publishes a new key beside the current ones; new tokens are signed with it.</summary>
    public ECDsaSecurityKey AddKey()
    {
        var key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = Guid.NewGuid().ToString("N") };
        lock (_published)
        {
            _published.Add((key.KeyId, key));
        }

        return key;
    }

    /// <summary>A new key that is not published: a token signed with it claims the issuer without its key.</summary>
    public static ECDsaSecurityKey UnpublishedKey()
        => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = Guid.NewGuid().ToString("N") };

    /// <summary>A workload token as a CI system issues it.</summary>
    public string Issue(
        string audience, string subject = CiSubject, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null, string? jti = null,
        SecurityKey? key = null, bool withJti = true, string? issuer = null)
    {
        var now = issuedAt ?? Now();
        var claims = new List<Claim> { new("sub", subject) };
        if (withJti)
        {
            claims.Add(new Claim("jti", jti ?? Guid.NewGuid().ToString()));
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + (lifetime ?? TimeSpan.FromMinutes(5))).UtcDateTime,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.EcdsaSha256),
            TokenType = "JWT",
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
