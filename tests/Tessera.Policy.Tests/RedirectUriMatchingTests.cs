using Tessera.Policy.Clients;

namespace Tessera.Policy.Tests;

public sealed class RedirectUriMatchingTests
{
    [Theory]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb", false, true)]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb/", false, false)]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb/extra", false, false)]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb?x=1", false, false)]
    [InlineData("https://app.example.com/cb", "https://APP.example.com/cb", false, false)]
    [InlineData("https://app.example.com/cb", "https://app.example.com/CB", false, false)]
    [InlineData("https://app.example.com/cb", "https://evil.example.net/cb", false, false)]
    [InlineData("https://app.example.com/cb", "https://app.example.com:8443/cb", false, false)]
    [InlineData("https://app.example.com/cb", "http://app.example.com/cb", false, false)]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:53122/cb", true, true)]
    [InlineData("http://127.0.0.1:1234/cb", "http://127.0.0.1:53122/cb", true, true)]
    [InlineData("http://[::1]/cb", "http://[::1]:53122/cb", true, true)]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:53122/cb", false, false)]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:53122/other", true, false)]
    [InlineData("http://localhost/cb", "http://localhost:53122/cb", true, false)]
    [InlineData("https://127.0.0.1/cb", "https://127.0.0.1:53122/cb", true, false)]
    public void IsAllowed_RegisteredAndRequested_MatchesOnlyExactlyOrLoopbackPort(string registered, string requested, bool native, bool allowed)
        => Assert.Equal(allowed, RedirectUriMatching.IsAllowed([registered], requested, native));
}
