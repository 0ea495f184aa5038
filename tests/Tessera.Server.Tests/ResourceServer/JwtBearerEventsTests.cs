using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tessera.AspNetCore.Configuration;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// The application's JwtBearer events, configured before or after <c>AddTesseraApi</c>, all run; none of them can
/// bring a token in from anywhere but the Authorization header, and what they add to the identity stays with the request.
/// </summary>
public sealed class JwtBearerEventsTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    [Fact]
    public async Task UserEvents_ConfiguredBeforeAndAfter_BothRunOnEveryRequest()
    {
        var validatedBefore = 0;
        var received = 0;
        await using var api = await fixture.StartApiAsync(
            services: s => s.Configure<JwtBearerOptions>(Scheme, o => o.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    Interlocked.Increment(ref validatedBefore);
                    ((ClaimsIdentity)context.Principal!.Identity!).AddClaim(new Claim("seen", "yes"));
                    return Task.CompletedTask;
                },
            }),
            after: s => s.Configure<JwtBearerOptions>(Scheme, o => o.Events.OnMessageReceived = _ =>
            {
                Interlocked.Increment(ref received);
                return Task.CompletedTask;
            }));

        for (var i = 0; i < 3; i++)
        {
            using var response = await api.GetAsync("/me", fixture.AppToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(1, me.GetProperty("seen").GetInt32());
        }

        Assert.Equal(3, validatedBefore);
        Assert.Equal(3, received);
        Assert.Equal(2, api.Validations.Cached);
    }

    [Fact]
    public async Task UserEvents_ReplacedWholesaleAfter_StillChained()
    {
        var validated = 0;
        await using var api = await fixture.StartApiAsync(after: s => s.Configure<JwtBearerOptions>(Scheme, o => o.Events = new JwtBearerEvents
        {
            OnTokenValidated = _ =>
            {
                Interlocked.Increment(ref validated);
                return Task.CompletedTask;
            },
        }));

        using var response = await api.GetAsync("/me", fixture.AppToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, validated);
    }

    [Fact]
    public async Task UserEvents_SetOnTesserasWrapperByALaterPostConfigure_Run()
    {
        var validated = 0;
        await using var api = await fixture.StartApiAsync(after: s => s.PostConfigure<JwtBearerOptions>(Scheme, o => o.Events.OnTokenValidated = _ =>
        {
            Interlocked.Increment(ref validated);
            return Task.CompletedTask;
        }));

        for (var i = 0; i < 2; i++)
        {
            using var response = await api.GetAsync("/me", fixture.AppToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, validated);
    }

    [Fact]
    public void Observed_OnlyWhenTheApplicationHasAnEvent()
    {
        static bool Observed(JwtBearerEvents? events, Type? type = null)
            => new TesseraJwtBearerEvents(events, type, Scheme, NullLogger.Instance).Observed;

        Assert.False(Observed(null));
        Assert.False(Observed(new JwtBearerEvents()));
        Assert.True(Observed(new JwtBearerEvents { OnForbidden = _ => Task.CompletedTask }));
        Assert.True(Observed(new CountingEvents()));
        Assert.True(Observed(null, typeof(CountingEvents)));
        Assert.True(new TesseraJwtBearerEvents(null, null, Scheme, NullLogger.Instance) { OnMessageReceived = _ => Task.CompletedTask }.Observed);
    }

    [Fact]
    public async Task UserEvents_FailInOnTokenValidated_Refuses()
    {
        await using var api = await fixture.StartApiAsync(after: s => s.Configure<JwtBearerOptions>(Scheme, o => o.Events.OnTokenValidated = context =>
        {
            context.Fail("The application says no.");
            return Task.CompletedTask;
        }));

        using var response = await api.GetAsync("/me", fixture.AppToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task EventsType_FromDependencyInjection_Runs()
    {
        await using var api = await fixture.StartApiAsync(after: s =>
        {
            s.AddSingleton<CountingEvents>();
            s.Configure<JwtBearerOptions>(Scheme, o => o.EventsType = typeof(CountingEvents));
        });

        using var response = await api.GetAsync("/me", fixture.AppToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, api.Services.GetRequiredService<CountingEvents>().Validated);
    }

    [Fact]
    public async Task OnMessageReceived_TokenFromQueryString_Ignored()
    {
        await using var api = await fixture.StartApiAsync(after: s => s.Configure<JwtBearerOptions>(Scheme, o => o.Events.OnMessageReceived = context =>
        {
            context.Token = context.Request.Query["access_token"];
            return Task.CompletedTask;
        }));

        using var http = api.Client();
        using var response = await http.GetAsync("/me?access_token=" + Uri.EscapeDataString(fixture.AppToken));
        using var withHeader = await api.GetAsync("/me", fixture.AppToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(api.Logs.Contains("TSR6804"), api.Logs.Dump());
        Assert.Equal(HttpStatusCode.OK, withHeader.StatusCode);
    }

    [Fact]
    public async Task ValidationParameters_LoosenedByTheApplication_StillStrict()
    {
        await using var api = await fixture.StartApiAsync(after: s => s.Configure<JwtBearerOptions>(Scheme, o =>
        {
#pragma warning disable CA5404 // the point of the test
            o.TokenValidationParameters.ValidateAudience = false;
            o.TokenValidationParameters.ValidateIssuer = false;
            o.TokenValidationParameters.ValidateLifetime = false;
            o.TokenValidationParameters.ValidTypes = ["JWT"];
            o.TokenValidationParameters.ValidAlgorithms = ["HS256", "none"];
#pragma warning restore CA5404
        }));
        var claims = fixture.Forge.AppClaims(Guid.NewGuid());

        using var response = await api.GetAsync("/me", fixture.Forge.SignedByServer(claims, type: "JWT"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public sealed class CountingEvents : JwtBearerEvents
    {
        private int _validated;

        public int Validated => _validated;

        public override Task TokenValidated(TokenValidatedContext context)
        {
            Interlocked.Increment(ref _validated);
            return Task.CompletedTask;
        }
    }
}
