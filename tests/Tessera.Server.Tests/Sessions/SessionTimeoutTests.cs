using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Directory.Sessions;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Sessions;

/// <summary>A server whose clock the tests move: sessions time out without anyone waiting.</summary>
public sealed class ClockedServerFixture : TesseraServerFixture
{
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public void Advance(TimeSpan by) => Clock.Set(Clock.GetUtcNow() + by);

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>Idle and absolute timeouts (server defaults: 1 hour idle, 12 hours in all) and the tenant's session policy.</summary>
public sealed class SessionTimeoutTests(ClockedServerFixture server) : IClassFixture<ClockedServerFixture>
{
    private async Task<(Guid UserId, UserAgent Browser)> SignInAsync()
    {
        var user = await server.Directory.CreateUserAsync();
        var client = await CodeFlowClient.RegisterAsync(server);
        var (_, _, browser) = await client.SignInAsync(user.UserName!);
        return (user.Id, browser);
    }

    private async Task<bool> SignedInAsync(UserAgent browser)
        => (await browser.SendAsync(HttpMethod.Get, $"{server.TenantBase}/account/sessions")).StatusCode == HttpStatusCode.OK;

    private Task<SignInSession> RecordAsync(Guid userId)
        => server.Directory.QueryAsync(db => db.SignInSessions.AsNoTracking().SingleAsync(s => s.UserId == userId));

    [Fact]
    public async Task Idle_ActiveWithinTheHour_StaysAndAnHourUnused_Ends()
    {
        var (userId, browser) = await SignInAsync();
        using (browser)
        {
            for (var i = 0; i < 3; i++)
            {
                server.Advance(TimeSpan.FromMinutes(55));
                Assert.True(await SignedInAsync(browser), $"signed out after {55 * (i + 1)} busy minutes");
            }

            server.Advance(TimeSpan.FromMinutes(61));
            Assert.False(await SignedInAsync(browser));
            var record = await RecordAsync(userId);
            Assert.Equal(SessionEndReasons.IdleTimeout, record.EndReason);

            // Ended is ended: coming back does not revive it.
            Assert.False(await SignedInAsync(browser));
        }
    }

    [Fact]
    public async Task Idle_SessionTimedOut_TheApplicationsRefreshTokenStillWorks()
    {
        var (_, client, tokens, browser) = await BrowserSignIn.StartAsync(server);
        using (browser)
        {
            using var http = server.CreateHttpClient();

            server.Advance(TimeSpan.FromMinutes(61));
            Assert.False(await SignedInAsync(browser));
            (await client.RefreshAsync(http, tokens.RefreshToken!)).AssertSuccess();
        }
    }

    [Fact]
    public async Task LastActivity_WrittenAtMostAboutOnceAMinute()
    {
        var (userId, browser) = await SignInAsync();
        using (browser)
        {
            var start = (await RecordAsync(userId)).LastActivityDateTime;
            server.Advance(TimeSpan.FromSeconds(30));
            Assert.True(await SignedInAsync(browser));
            Assert.Equal(start, (await RecordAsync(userId)).LastActivityDateTime);

            server.Advance(TimeSpan.FromSeconds(40));
            Assert.True(await SignedInAsync(browser));
            // Stored to the millisecond.
            Assert.InRange(server.Clock.GetUtcNow() - (await RecordAsync(userId)).LastActivityDateTime, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task Absolute_BusySessionEndsAfterTwelveHours()
    {
        var (_, browser) = await SignInAsync();
        using (browser)
        {
            for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(11.5); elapsed += TimeSpan.FromMinutes(50))
            {
                server.Advance(TimeSpan.FromMinutes(50));
                Assert.True(await SignedInAsync(browser), $"signed out after {elapsed + TimeSpan.FromMinutes(50)}");
            }

            server.Advance(TimeSpan.FromMinutes(50));
            Assert.False(await SignedInAsync(browser));
        }
    }

    [Fact]
    public async Task TenantPolicy_ShorterTimeouts_ApplyToOpenSessionsToo()
    {
        var (userId, browser) = await SignInAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, "policies/sessionPolicy", new { idleTimeout = "PT10M", absoluteTimeout = "PT30M" })).Status);
            using (browser)
            {
                server.Advance(TimeSpan.FromMinutes(9));
                Assert.True(await SignedInAsync(browser));
                server.Advance(TimeSpan.FromMinutes(9));
                Assert.True(await SignedInAsync(browser));
                server.Advance(TimeSpan.FromMinutes(9));
                Assert.True(await SignedInAsync(browser));
                server.Advance(TimeSpan.FromMinutes(4));
                Assert.False(await SignedInAsync(browser));
                Assert.Equal(SessionEndReasons.AbsoluteTimeout, (await RecordAsync(userId)).EndReason);
            }

            // A new sign-in gets a cookie that ends with the tenant's absolute timeout.
            var (newUserId, again) = await SignInAsync();
            using (again)
            {
                var record = await RecordAsync(newUserId);
                Assert.Equal(TimeSpan.FromMinutes(30), record.ExpiresDateTime - record.CreatedDateTime);
                server.Advance(TimeSpan.FromMinutes(11));
                Assert.False(await SignedInAsync(again));
                Assert.Equal(SessionEndReasons.IdleTimeout, (await RecordAsync(newUserId)).EndReason);
            }
        }
        finally
        {
            await admin.JsonAsync(HttpMethod.Patch, "policies/sessionPolicy", new { idleTimeout = (string?)null, absoluteTimeout = (string?)null });
        }
    }
}
