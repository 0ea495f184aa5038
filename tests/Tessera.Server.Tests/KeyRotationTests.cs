using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Keys;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>A server whose clock starts 3 hours before a rotation boundary, with keys that rotate daily and are published 2 hours ahead.</summary>
public sealed class RotatingKeysServerFixture : TesseraServerFixture
{
    public static readonly DateTimeOffset Boundary = new(2030, 1, 10, 0, 0, 0, TimeSpan.Zero);

    public ManualClock Clock { get; } = new(Boundary.AddHours(-3));

    protected override IEnumerable<string> ExtraArguments =>
        ["--Tessera:SigningKeys:RotationPeriod=1.00:00:00", "--Tessera:SigningKeys:PublishAhead=02:00:00"];

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    public Task RefreshKeysAsync() => App.Web.Services.GetRequiredService<SigningKeyRing>().RefreshAsync(default);
}

public sealed class KeyRotationTests(RotatingKeysServerFixture server) : IClassFixture<RotatingKeysServerFixture>
{
    [Fact]
    public async Task Rotation_NextKeyPublishedAheadThenSigns_OldTokensStillValidate()
    {
        using var http = server.CreateHttpClient();

        // Before the publication window: one key, and it signs.
        var keysBefore = await KeyIdsAsync(http);
        var before = await IssueAsync(http);
        Assert.Single(keysBefore);
        Assert.Equal(keysBefore[0], before.Access.Kid);

        // Inside the window: the next key is published but does not sign yet.
        server.Clock.Set(RotatingKeysServerFixture.Boundary.AddHours(-1));
        await server.RefreshKeysAsync();
        var keysAhead = await KeyIdsAsync(http);
        Assert.Equal(2, keysAhead.Count);
        Assert.Equal(keysBefore[0], (await IssueAsync(http)).Access.Kid);

        // After the boundary: the new key signs, the old one is still published.
        server.Clock.Set(RotatingKeysServerFixture.Boundary.AddMinutes(1));
        await server.RefreshKeysAsync();
        var after = await IssueAsync(http);
        var newKey = keysAhead.Single(k => k != keysBefore[0]);
        Assert.Equal(newKey, after.Access.Kid);
        Assert.Contains(keysBefore[0], await KeyIdsAsync(http));

        var jwks = new JsonWebKeySet(await http.GetStringAsync($"{server.TenantBase}/discovery/v2.0/keys"));
        Assert.Contains(jwks.GetSigningKeys(), k => k.KeyId == before.Access.Kid);
    }

    private async Task<List<string>> KeyIdsAsync(HttpClient http)
        => new JsonWebKeySet(await http.GetStringAsync($"{server.TenantBase}/discovery/v2.0/keys")).Keys.Select(k => k.Kid).ToList();

    private async Task<TokenResponse> IssueAsync(HttpClient http)
    {
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", server.Bootstrap.AdminScope));
        response.AssertSuccess();
        return response;
    }
}
