using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Admin.Apis;
using Tessera.Server.Keys;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>A server whose clock the test moves, with daily keys published two hours ahead.</summary>
public sealed class ManualClockServerFixture : TesseraServerFixture
{
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IEnumerable<string> ExtraArguments =>
        ["--Tessera:SigningKeys:RotationPeriod=1.00:00:00", "--Tessera:SigningKeys:PublishAhead=02:00:00"];

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    public Task RefreshKeysAsync() => App.Web.Services.GetRequiredService<SigningKeyRing>().RefreshAsync(default);
}

public sealed class EmergencyRolloverTests(ManualClockServerFixture server) : IClassFixture<ManualClockServerFixture>
{
    private async Task<List<string>> KeyIdsAsync(HttpClient http)
        => [.. new JsonWebKeySet(await http.GetStringAsync($"{server.TenantBase}/discovery/v2.0/keys")).Keys.Select(k => k.Kid)];

    private async Task<TokenResponse> IssueAsync(HttpClient http)
    {
        var response = await TokenClient.PostAsync(http, server.TokenEndpoint, ("grant_type", "client_credentials"),
            ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", server.Bootstrap.AdminScope));
        response.AssertSuccess();
        return response;
    }

    private async Task<bool> ValidatesAsync(HttpClient http, string token)
    {
        var keys = new JsonWebKeySet(await http.GetStringAsync($"{server.TenantBase}/discovery/v2.0/keys")).GetSigningKeys();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidIssuer = server.Authority,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        return result.IsValid;
    }

    [Fact]
    public async Task RotateNow_NewKeySignsAtOnce_OldTokensValidUntilChosenMoment_ThenOldKeyUnpublished()
    {
        using var http = server.CreateHttpClient();
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await IssueAsync(http);
        var retireAt = server.Clock.GetUtcNow().AddMinutes(10);

        var (status, rotated) = await admin.JsonAsync(HttpMethod.Post, "signingKeys/rotate", new { retirePreviousAt = retireAt.ToString("o") });

        Assert.Equal(HttpStatusCode.OK, status);
        var after = await IssueAsync(http);
        Assert.NotEqual(before.Access.Kid, after.Access.Kid);
        Assert.Equal(rotated!["active"]!["kid"]!.GetValue<string>(), after.Access.Kid);
        Assert.Contains(rotated["previous"]!.AsArray(), k => k!["kid"]!.GetValue<string>() == before.Access.Kid);
        Assert.True(await ValidatesAsync(http, before.AccessToken), "A token of the previous key must hold until the chosen moment.");
        Assert.True(await ValidatesAsync(http, after.AccessToken));

        server.Clock.Set(retireAt.AddSeconds(1));
        Assert.DoesNotContain(before.Access.Kid, await KeyIdsAsync(http));
        Assert.False(await ValidatesAsync(http, before.AccessToken));
        Assert.True(await ValidatesAsync(http, after.AccessToken));
        await server.RefreshKeysAsync();
        Assert.DoesNotContain(before.Access.Kid, await KeyIdsAsync(http));

        var audited = await server.Directory.QueryAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.ActivityDisplayName == SigningKeysApi.RotateActivity).Select(e => e.TargetResources).ToListAsync());
        Assert.Contains(audited, e => e.Contains(after.Access.Kid, StringComparison.Ordinal) && e.Contains(before.Access.Kid, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotateNow_RetireNow_PreviousKeyGoneAtOnce()
    {
        using var http = server.CreateHttpClient();
        using var admin = await AdminClient.BootstrapAsync(server);
        var before = await IssueAsync(http);

        var (status, _) = await admin.JsonAsync(HttpMethod.Post, "signingKeys/rotate", new { retirePreviousAt = server.Clock.GetUtcNow().ToString("o") });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(before.Access.Kid, await KeyIdsAsync(http));
        Assert.True(await ValidatesAsync(http, (await IssueAsync(http)).AccessToken));
    }

    [Fact]
    public async Task RotateNow_KeyPublishedAheadReplaced_ScheduleResumes()
    {
        using var http = server.CreateHttpClient();
        using var admin = await AdminClient.BootstrapAsync(server);
        var now = server.Clock.GetUtcNow();
        var nextBoundary = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        // An hour before the boundary, inside the two hours ahead in which the next key is published; never back in time
        // (in the last hour of the day, now is already there).
        var anHourBefore = nextBoundary.AddHours(-1);
        server.Clock.Set(anHourBefore > now ? anHourBefore : now);
        await server.RefreshKeysAsync();
        var (_, listed) = await admin.JsonAsync(HttpMethod.Get, "signingKeys");
        var ahead = listed!["value"]!.AsArray().Single(k => k!["status"]!.GetValue<string>() == "next")!["kid"]!.GetValue<string>();

        var (status, rotated) = await admin.JsonAsync(HttpMethod.Post, "signingKeys/rotate", new { });

        Assert.Equal(HttpStatusCode.OK, status);
        var keys = await KeyIdsAsync(http);
        Assert.DoesNotContain(ahead, keys);
        Assert.Contains(rotated!["active"]!["kid"]!.GetValue<string>(), keys);
        var (_, relisted) = await admin.JsonAsync(HttpMethod.Get, "signingKeys");
        var statuses = relisted!["value"]!.AsArray().Select(k => k!["status"]!.GetValue<string>()).ToList();
        Assert.Contains("next", statuses);
        Assert.Single(statuses, s => s == "active");

        // At the boundary the scheduled key takes over from the emergency one.
        server.Clock.Set(nextBoundary.AddMinutes(1));
        await server.RefreshKeysAsync();
        var newNext = relisted["value"]!.AsArray().Single(k => k!["status"]!.GetValue<string>() == "next")!["kid"]!.GetValue<string>();
        Assert.Equal(newNext, (await IssueAsync(http)).Access.Kid);
    }

    [Fact]
    public async Task RotateNow_UnderLoad_NoRequestFails()
    {
        using var http = server.CreateHttpClient();
        using var admin = await AdminClient.BootstrapAsync(server);
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var issued = 0;
        var load = Task.Run(async () =>
        {
            using var client = server.CreateHttpClient();
            while (!stop.IsCancellationRequested)
            {
                var response = await TokenClient.PostAsync(client, server.TokenEndpoint, ("grant_type", "client_credentials"),
                    ("client_id", server.Bootstrap.ClientId), ("client_secret", server.Bootstrap.ClientSecret), ("scope", server.Bootstrap.AdminScope));
                var valid = response.Status == HttpStatusCode.OK && await ValidatesAsync(client, response.AccessToken);
                Interlocked.Add(ref failures, valid ? 0 : 1);
                Interlocked.Increment(ref issued);
            }
        });

        while (Volatile.Read(ref issued) < 3)
        {
            await Task.Delay(10);
        }

        var (status, _) = await admin.JsonAsync(HttpMethod.Post, "signingKeys/rotate", new { });
        var afterRotation = Volatile.Read(ref issued);
        while (Volatile.Read(ref issued) < afterRotation + 3)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await load;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, failures);
    }

    [Theory]
    [InlineData("""{"retirePreviousAt":"2001-01-01T00:00:00Z"}""", "TSR8211")]
    [InlineData("""{"retirePreviousAt":"tomorrow"}""", "TSR3018")]
    [InlineData("""{"retireAt":"2031-01-01T00:00:00Z"}""", "TSR3018")]
    public async Task RotateNow_BadBody_400AndNothingRotated(string body, string code)
    {
        using var http = server.CreateHttpClient();
        using var admin = await AdminClient.BootstrapAsync(server);
        var kid = (await IssueAsync(http)).Access.Kid;
        GraphAssert.Error(HttpStatusCode.BadRequest, code, await admin.JsonAsync(HttpMethod.Post, "signingKeys/rotate", body));
        Assert.Equal(kid, (await IssueAsync(http)).Access.Kid);
    }
}
