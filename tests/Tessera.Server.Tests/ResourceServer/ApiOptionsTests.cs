using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.AspNetCore;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>A misconfigured Tessera API does not start; its error names what to fix with a TSR08xx code.</summary>
public sealed class ApiOptionsTests
{
    private const string Tenant = "6a1f3c2e-8d4b-4f0a-9c1e-2b3d4e5f6a7b";
    private const string App = "0b7e9d1c-2a3f-4e5d-8c6b-7a8f9e0d1c2b";

    public static TheoryData<string, Action<TesseraApiOptions>> BadOptions => new()
    {
        { "TSR0801", o => o.Instance = null },
        { "TSR0802", o => o.Instance = "id.example.com" },
        { "TSR0802", o => o.Instance = "https://id.example.com/?tenant=x" },
        { "TSR0803", o => o.Instance = "http://id.example.com/" },
        { "TSR0801", o => o.TenantId = null },
        { "TSR0804", o => o.TenantId = "contoso.example" },
        { "TSR0804", o => o.TenantId = "consumers" },
        { "TSR0805", o => o.AllowedTenants.Add(Tenant) },
        { "TSR0805", o => { o.TenantId = "organizations"; o.AllowedTenants.Add("contoso.example"); } },
        { "TSR0801", o => { o.ClientId = null; o.Audience = null; } },
        { "TSR0806", o => { o.ClientId = null; o.Audience = "api://orders"; } },
        { "TSR0806", o => o.ClientId = "orders" },
        { "TSR0807", o => o.ClockSkew = TimeSpan.FromMinutes(5) },
        { "TSR0807", o => o.ClockSkew = TimeSpan.FromSeconds(-1) },
        { "TSR0808", o => o.TokenCacheSize = -1 },
        { "TSR0808", o => o.TokenCacheMaxAge = TimeSpan.Zero },
        { "TSR0810", o => { o.TenantId = "organizations"; ContinuousAccess(o); } },
        { "TSR0811", o => { o.ClientId = null; o.Audience = App; ContinuousAccess(o); } },
        { "TSR0812", o => { ContinuousAccess(o); o.ContinuousAccess.ClientSecret = null; } },
        { "TSR0814", o => { ContinuousAccess(o); o.ContinuousAccess.PushEndpoint = null; } },
        { "TSR0814", o => { ContinuousAccess(o); o.ContinuousAccess.PushEndpoint = "http://api.example.com/ssf/events"; } },
        { "TSR0814", o => { ContinuousAccess(o); o.ContinuousAccess.PushEndpoint = "/ssf/events"; } },
        { "TSR0815", o => { ContinuousAccess(o); o.ContinuousAccess.Delivery = (TesseraEventDelivery)7; } },
    };

    private static void ContinuousAccess(TesseraApiOptions options)
    {
        options.ContinuousAccess.Enabled = true;
        options.ContinuousAccess.ClientSecret = "secret";
        options.ContinuousAccess.PushEndpoint = "https://api.example.com/ssf/events";
    }

    private static void Valid(TesseraApiOptions options)
    {
        options.Instance = "https://id.example.com/";
        options.TenantId = Tenant;
        options.ClientId = App;
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task BadOption_DoesNotStart(string code, Action<TesseraApiOptions> change)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ProtectedApi.StartAsync(null, o =>
        {
            Valid(o);
            change(o);
        }));

        Assert.Contains(code, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://id.example.com/", Tenant, App, null)]
    [InlineData("http://127.0.0.1:5080", "organizations", null, App)]
    [InlineData("http://localhost:5080/tessera/", "common", "api://orders", App)]
    public async Task GoodOptions_Start(string instance, string tenant, string? audience, string? clientId)
    {
        await using var api = await ProtectedApi.StartAsync(null, o =>
        {
            o.Instance = instance;
            o.TenantId = tenant;
            o.Audience = audience;
            o.ClientId = clientId;
        });

        Assert.StartsWith("http://127.0.0.1:", api.Address, StringComparison.Ordinal);
    }

    public static TheoryData<Action<IServiceCollection>> Loosenings => new()
    {
        s => s.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.TokenHandlers.Add(new JsonWebTokenHandler())),
        s => s.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.Events = new JwtBearerEvents()),
#pragma warning disable CS0618 // the point of the test
        s => s.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.UseSecurityTokenValidators = true),
#pragma warning restore CS0618
        s => s.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.Authority = "https://attacker.example/"),
    };

    [Theory]
    [MemberData(nameof(Loosenings))]
    public async Task JwtBearerLoosenedAround_DoesNotStart(Action<IServiceCollection> loosen)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ProtectedApi.StartAsync(null, Valid, after: loosen));

        Assert.Contains("TSR0809", error.Message, StringComparison.Ordinal);
    }
    [Fact]
    public async Task ConfigurationSection_Bound_IncludingAllowedTenants()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions
        {
            Args = ["--urls=http://127.0.0.1:0"],
            ContentRootPath = Path.GetTempPath(),
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tessera:Instance"] = "https://id.example.com/",
            ["Tessera:TenantId"] = "organizations",
            ["Tessera:Audience"] = "api://orders",
            ["Tessera:ClientId"] = App,
            ["Tessera:AllowedTenants:0"] = Tenant,
            ["Tessera:ClockSkew"] = "00:00:10",
        });
        builder.Services.AddAuthentication().AddTesseraApi(builder.Configuration.GetSection("Tessera"), "Orders");
        await using var app = builder.Build();
        await app.StartAsync();

        var options = app.Services.GetRequiredService<IOptionsMonitor<TesseraApiOptions>>().Get("Orders");
        Assert.Equal("organizations", options.TenantId);
        Assert.Equal([Tenant], options.AllowedTenants);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ClockSkew);
        var jwtBearer = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get("Orders");
        Assert.IsType<Tessera.AspNetCore.Validation.TesseraTokenHandler>(Assert.Single(jwtBearer.TokenHandlers));
        await app.StopAsync();
    }
}
