using System.CommandLine;
using Tessera.Cli.Api;
using Tessera.Cli.Output;
using Tessera.Cli.Session;

namespace Tessera.Cli.Commands;

/// <summary>What every command runs with: one HTTP client, the clock, and the output streams.</summary>
internal sealed class CliRuntime(HttpClient http, TimeProvider time, TextWriter output, TextWriter error)
{
    public HttpClient Http { get; } = http;

    public TimeProvider Time { get; } = time;

    public TextWriter Error { get; } = error;

    /// <summary>The context of one invocation: its global options applied.</summary>
    public CommandContext For(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new CommandContext(this, new Printer(output, Error, parse.GetValue(GlobalOptions.Json)),
            SessionStore.FromEnvironment(parse.GetValue(GlobalOptions.Profile)), parse.GetValue(GlobalOptions.Server));
    }
}

/// <summary>One command's view of the runtime: where to print, which profile, and the admin API once signed in.</summary>
internal sealed class CommandContext(CliRuntime runtime, Printer printer, SessionStore sessions, string? server)
{
    public Printer Printer { get; } = printer;

    public SessionStore Sessions { get; } = sessions;

    public TimeProvider Time => runtime.Time;

    public TokenClient Tokens => new(runtime.Http, runtime.Time);

    public DeviceCodeSignIn DeviceCodes => new(runtime.Http, runtime.Time);

    /// <summary>The signed-in session (not being signed in is a usage error).</summary>
    public CliSession RequireSession() => Sessions.Require();

    /// <summary>The admin API as the signed-in session (or <c>--server</c>) names it.</summary>
    public AdminApiClient Api()
    {
        var session = RequireSession();
        var address = server is { Length: > 0 } ? ServerAddress.AdminApiFromServer(server) : ServerAddress.RequireSecure(session.AdminApi, "The session's admin API");
        return new AdminApiClient(runtime.Http, address, new AccessTokens(Sessions, session, Tokens, runtime.Time));
    }

    /// <summary>The admin API's base for a new session: <c>--server</c> if given, else derived from the issuer.</summary>
    public Uri AdminApiFor(string issuer, Guid tenantId)
        => server is { Length: > 0 } ? ServerAddress.AdminApiFromServer(server) : ServerAddress.AdminApiFromIssuer(issuer, tenantId);
}
