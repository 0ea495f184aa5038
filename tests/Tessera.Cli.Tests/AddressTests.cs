using Tessera.Cli.Api;
using Tessera.Cli.Commands;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Tests;

public sealed class AddressTests
{
    [Theory]
    [InlineData("https://id.example.com", true)]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://id.example.com", false)]
    [InlineData("ftp://id.example.com", false)]
    [InlineData("id.example.com", false)]
    [InlineData("https://user:pw@id.example.com", false)]
    public void RequireSecure_HttpsOrLoopbackOnly(string address, bool accepted)
    {
        if (accepted)
        {
            ServerAddress.RequireSecure(address, "--server");
        }
        else
        {
            Assert.Equal(ExitCodes.Usage, Assert.Throws<CommandFailure>(() => ServerAddress.RequireSecure(address, "--server")).ExitCode);
        }
    }

    [Theory]
    [InlineData("https://id.example.com", "https://id.example.com/admin/v1/")]
    [InlineData("https://id.example.com/", "https://id.example.com/admin/v1/")]
    [InlineData("https://id.example.com/admin/v1", "https://id.example.com/admin/v1/")]
    [InlineData("https://example.com/identity", "https://example.com/identity/admin/v1/")]
    public void AdminApiFromServer_OriginOrApiAddress(string server, string expected)
        => Assert.Equal(expected, ServerAddress.AdminApiFromServer(server).AbsoluteUri);

    [Fact]
    public void AdminApiFromIssuer_StripsTenantAndVersion()
    {
        var tenant = Guid.NewGuid();
        Assert.Equal("https://id.example.com/admin/v1/", ServerAddress.AdminApiFromIssuer($"https://id.example.com/{tenant:D}/v2.0", tenant).AbsoluteUri);
        Assert.Throws<CommandFailure>(() => ServerAddress.AdminApiFromIssuer($"https://id.example.com/{Guid.NewGuid():D}/v2.0", tenant));
    }

    [Theory]
    [InlineData("30d", 30 * 24)]
    [InlineData("12h", 12)]
    [InlineData("2w", 14 * 24)]
    [InlineData("30D", 30 * 24)]
    public void TryParseWindow_Units(string text, int hours)
    {
        Assert.True(TimeArguments.TryParseWindow(text, out var window));
        Assert.Equal(TimeSpan.FromHours(hours), window);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("d")]
    [InlineData("-3d")]
    [InlineData("0d")]
    [InlineData("3m")]
    [InlineData("")]
    public void TryParseWindow_Rejects(string text) => Assert.False(TimeArguments.TryParseWindow(text, out _));
}
