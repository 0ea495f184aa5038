using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Cli.Tests.Infrastructure;
using Tessera.Server.SignInLogs;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera audit signins</c>: the sign-in log, newest first, filtered by user, application and outcome.</summary>
public sealed partial class SignInCommandTests(CliServerFixture server) : IClassFixture<CliServerFixture>
{
    [Fact]
    public async Task AuditSignIns_AfterPageSignIn_JsonShowsIt()
    {
        var person = await server.CreatePersonAsync();
        using (var page = new VerificationPage(server.Origin, server.TenantId))
        {
            await page.SignInAsync(person, CliServerFixture.PersonPassword);
        }

        await FlushAsync();
        var result = await server.Cli.RunAsync("audit", "signins", "--user", person, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var signIn = Assert.Single(result.Json["value"]!.AsArray())!;
        Assert.Equal(person, signIn["userPrincipalName"]!.GetValue<string>());
        Assert.Equal(0, signIn["status"]!["errorCode"]!.GetValue<int>());
        Assert.Equal("interactiveUser", signIn["signInEventTypes"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task AuditSignIns_Failures_TableShowsCodeAndReason()
    {
        var person = await server.CreatePersonAsync();
        await SignInWithWrongPasswordAsync(person);
        using (var page = new VerificationPage(server.Origin, server.TenantId))
        {
            await page.SignInAsync(person, CliServerFixture.PersonPassword);
        }

        await FlushAsync();
        var table = await server.Cli.RunAsync("audit", "signins", "--user", person, "--failures");
        var all = await server.Cli.RunAsync("audit", "signins", "--user", person, "--top", "10", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Failure 50126", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Invalid username or password", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Success", table.Stdout, StringComparison.Ordinal);
        var codes = all.Json["value"]!.AsArray().Select(s => s!["status"]!["errorCode"]!.GetValue<int>()).ToList();
        Assert.Equal([0, 50126], codes); // newest first
    }

    [Fact]
    public async Task AuditSignIns_App_ShowsTheCommandsOwnClientCredentialsSignIns()
    {
        await FlushAsync();

        var result = await server.Cli.RunAsync("audit", "signins", "--app", server.Bootstrap.ClientId, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var signIns = result.Json["value"]!.AsArray();
        Assert.NotEmpty(signIns);
        Assert.All(signIns, s => Assert.Equal("servicePrincipal", s!["signInEventTypes"]![0]!.GetValue<string>()));
    }

    [Fact]
    public async Task AuditSignIns_SinceUntilAndErrorCode_Filter()
    {
        var person = await server.CreatePersonAsync();
        await SignInWithWrongPasswordAsync(person);
        await FlushAsync();

        var recent = await server.Cli.RunAsync("audit", "signins", "--user", person, "--since", "1h", "--error-code", "50126", "--json");
        var older = await server.Cli.RunAsync("audit", "signins", "--user", person, "--until", "1h", "--json");
        var successes = await server.Cli.RunAsync("audit", "signins", "--user", person, "--error-code", "0", "--json");
        var bad = await server.Cli.RunAsync("audit", "signins", "--since", "yesterday-ish");

        Assert.True(recent.ExitCode == 0, recent.ToString());
        Assert.Equal(50126, Assert.Single(recent.Json["value"]!.AsArray())!["status"]!["errorCode"]!.GetValue<int>());
        Assert.Empty(older.Json["value"]!.AsArray());
        Assert.Empty(successes.Json["value"]!.AsArray());
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--since", bad.Stderr, StringComparison.Ordinal);
    }

    private Task FlushAsync() => server.App.Web.Services.GetRequiredService<SignInLog>().FlushAsync();

    private async Task SignInWithWrongPasswordAsync(string userName)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        var signIn = $"{server.Origin}/{server.TenantId:D}/account/signin";
        using var form = await http.GetAsync(signIn);
        using var request = new HttpRequestMessage(HttpMethod.Post, signIn)
        {
            Content = new FormUrlEncodedContent([
                new("UserName", userName), new("Password", "not the password"),
                new("__RequestVerificationToken", Antiforgery().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value)]),
        };
        request.Headers.Add("Cookie", string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';', 2)[0])));
        using var response = await http.SendAsync(request);
        Assert.Contains("The user name or password is incorrect.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
