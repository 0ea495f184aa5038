using Tessera.Policy.Registrations;

namespace Tessera.Policy.Tests;

public sealed class RegistrationRulesTests
{
    private static readonly Guid AppId = Guid.Parse("6f1d2c3b-0000-4000-8000-000000000001");

    [Theory]
    [InlineData("https://app.example.com/cb", false, null)]
    [InlineData("https://app.example.com/cb?x=1", false, null)]
    [InlineData("http://app.example.com/cb", false, "TSR3004")]
    [InlineData("http://app.example.com/cb", true, "TSR3004")]
    [InlineData("http://127.0.0.1/cb", true, null)]
    [InlineData("http://[::1]:8080/cb", true, null)]
    [InlineData("http://localhost/cb", true, null)]
    [InlineData("http://127.0.0.1/cb", false, "TSR3004")]
    [InlineData("https://*.example.com/cb", false, "TSR3002")]
    [InlineData("https://app.example.com/*", false, "TSR3002")]
    [InlineData("https://app.example.com/cb#x", false, "TSR3003")]
    [InlineData("/relative", false, "TSR3001")]
    [InlineData("file:///etc/passwd", true, "TSR3001")]
    [InlineData("", false, "TSR3001")]
    [InlineData("com.example.app:/oauth2redirect", true, null)]
    [InlineData("com.example.app:/oauth2redirect", false, "TSR3005")]
    [InlineData("myapp://callback", true, "TSR3005")]
    [InlineData("javascript:alert(1)", true, "TSR3005")]
    public void RedirectUri_Table_DecidesByScheme(string value, bool publicClient, string? code)
        => Assert.Equal(code, RegistrationRules.RedirectUri(value, publicClient)?.Code);

    [Theory]
    [InlineData("api://6f1d2c3b-0000-4000-8000-000000000001", null)]
    [InlineData("api://6f1d2c3b-0000-4000-8000-000000000001/orders", null)]
    [InlineData("https://contoso.example/orders", null)]
    [InlineData("https://api.contoso.example", null)]
    [InlineData("api://contoso.example/orders", null)]
    [InlineData("https://evilcontoso.example/orders", "TSR3007")]
    [InlineData("https://fabrikam.example/orders", "TSR3007")]
    [InlineData("api://orders", "TSR3007")]
    [InlineData("api://*", "TSR3006")]
    [InlineData("https://contoso.example/orders?x=1", "TSR3006")]
    [InlineData("not a uri", "TSR3006")]
    public void IdentifierUri_Table_AppIdOrVerifiedDomainOnly(string value, string? code)
        => Assert.Equal(code, RegistrationRules.IdentifierUri(value, AppId, ["contoso.example"])?.Code);

    [Fact]
    public void SecretEnd_NoRequest_DefaultsTo180Days()
    {
        var now = DateTimeOffset.UnixEpoch;
        Assert.Equal(now.AddDays(180), RegistrationRules.SecretEnd(now, null, TimeSpan.FromDays(730)).End);
        Assert.Equal(now.AddDays(90), RegistrationRules.SecretEnd(now, null, TimeSpan.FromDays(90)).End);
    }

    [Theory]
    [InlineData(729, 730, null)]
    [InlineData(731, 730, "TSR3009")]
    [InlineData(731, 3650, "TSR3009")]
    [InlineData(100, 90, "TSR3009")]
    [InlineData(0, 730, "TSR3008")]
    public void SecretEnd_Requested_CappedByTenantAndTwoYears(int days, int tenantMaximumDays, string? code)
        => Assert.Equal(code, RegistrationRules.SecretEnd(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(days), TimeSpan.FromDays(tenantMaximumDays)).Error?.Code);

    [Theory]
    [InlineData("RSA", 2048, 10, true, null)]
    [InlineData("RSA", 1024, 10, true, "TSR3012")]
    [InlineData("ECDSA", 256, 10, true, null)]
    [InlineData("ECDSA", 192, 10, true, "TSR3012")]
    [InlineData("RSA", 4096, -1, true, "TSR3010")]
    [InlineData("RSA", 4096, 10, false, "TSR3011")]
    public void Certificate_Table_StrongUnexpiredSigningKeysOnly(string algorithm, int size, int daysLeft, bool signs, string? code)
        => Assert.Equal(code, RegistrationRules.Certificate(algorithm, size, DateTimeOffset.UnixEpoch.AddDays(daysLeft), DateTimeOffset.UnixEpoch, signs)?.Code);
}
