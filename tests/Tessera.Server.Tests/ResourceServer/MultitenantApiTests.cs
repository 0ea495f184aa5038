using System.Net;

namespace Tessera.Server.Tests.ResourceServer;

/// <summary>
/// A multitenant API (<c>TenantId: organizations</c>): a token of any tenant is accepted when its issuer is exactly
/// the issuer of the tenant it names (<c>{Instance}/{tid}/v2.0</c>) and its signature verifies with that tenant's
/// published keys; an allow-list narrows the tenants.
/// </summary>
public sealed class MultitenantApiTests(ResourceServerFixture fixture) : IClassFixture<ResourceServerFixture>
{
    private TokenForge Forge => fixture.Forge;

    private Task<ProtectedApi> StartAsync(params Guid[] allowed)
        => fixture.StartApiAsync(o =>
        {
            o.TenantId = "organizations";
            foreach (var tenant in allowed)
            {
                o.AllowedTenants.Add(tenant.ToString());
            }
        });

    private async Task<Guid> OtherTenantAsync()
        => (await fixture.Server.Directory.CreateTenantAsync($"mt-{Guid.NewGuid():N}"[..15] + ".example")).TenantId;

    [Fact]
    public async Task AnyTenant_IssuerOfItsOwnTid_Accepted()
    {
        await using var api = await StartAsync();
        var other = await OtherTenantAsync();

        using var home = await api.GetAsync("/me", fixture.AppToken);
        using var away = await api.GetAsync("/me", Forge.SignedByServer(Forge.AppClaims(fixture.ApiId, other)));

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(HttpStatusCode.OK, away.StatusCode);
        Assert.Contains(other.ToString("D"), await away.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssuerAndTidDisagree_Refused()
    {
        await using var api = await StartAsync();
        var other = await OtherTenantAsync();
        var claims = Forge.AppClaims(fixture.ApiId, other);
        claims["iss"] = Forge.IssuerOf(fixture.Server.TenantId);

        using var response = await api.GetAsync("/me", Forge.SignedByServer(claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(api.Logs.Contains("TSR2807"), api.Logs.Dump());
    }

    [Fact]
    public async Task TenantTheServerDoesNotKnow_RefusedAndNotRemembered()
    {
        await using var api = await StartAsync();
        var unknown = Guid.NewGuid();

        using var response = await api.GetAsync("/me", Forge.SignedByServer(Forge.AppClaims(fixture.ApiId, unknown)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(api.Logs.Contains("TSR6802"), api.Logs.Dump());
        Assert.True(api.Logs.Contains("TSR2812"), api.Logs.Dump());
    }

    [Fact]
    public async Task AllowList_OtherTenant_RefusedBeforeAnyMetadataRead()
    {
        await using var api = await StartAsync(fixture.Server.TenantId);
        var other = await OtherTenantAsync();

        using var home = await api.GetAsync("/me", fixture.AppToken);
        using var away = await api.GetAsync("/me", Forge.SignedByServer(Forge.AppClaims(fixture.ApiId, other)));

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, away.StatusCode);
        Assert.True(api.Logs.Contains("TSR2806"), api.Logs.Dump());
    }

    [Fact]
    public async Task NoTid_Refused()
    {
        await using var api = await StartAsync();
        var claims = Forge.AppClaims(fixture.ApiId);
        claims.Remove("tid");

        using var response = await api.GetAsync("/me", Forge.SignedByServer(claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(api.Logs.Contains("TSR2806"), api.Logs.Dump());
    }
}
