using Tessera.Cli.Api;
using Tessera.Cli.Session;
using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary>Following <c>@odata.nextLink</c> against the real server, with pages small enough to need it.</summary>
public sealed class PagingTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task List_SmallPages_FollowsEveryNextLink()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await server.Cli.RunAsync("app", "create", "--name", $"paged app {i}")).ExitCode);
        }

        var store = new SessionStore(server.Cli.ConfigDirectory, null);
        var session = store.Require();
        using var http = new HttpClient();
        var api = new AdminApiClient(http, new Uri(session.AdminApi), new AccessTokens(store, session, new TokenClient(http, TimeProvider.System), TimeProvider.System));

        var paged = await api.ListAsync("applications", null, top: null, default, pageSize: 2);
        var whole = await api.ListAsync("applications", null, top: null, default);
        var first = await api.ListAsync("applications", null, top: 2, default);

        Assert.True(whole.Count >= 5, $"{whole.Count} applications");
        Assert.Equal(whole.Select(a => a.Text("id")), paged.Select(a => a.Text("id")));
        Assert.Equal(2, first.Count);
    }
}
