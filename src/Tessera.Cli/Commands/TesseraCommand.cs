using System.CommandLine;
using System.Text.Json;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Commands;

/// <summary>
/// The <c>tessera</c> command: its command tree, and the one place where failures become a single line on standard
/// error and an exit code (see <see cref="ExitCodes"/>). No stack trace is ever printed.
/// </summary>
internal static class TesseraCommand
{
    private const int Interrupted = 130;

    public static async Task<int> RunAsync(string[] args)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(100),
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"tessera-cli/{typeof(TesseraCommand).Assembly.GetName().Version?.ToString(3) ?? "0"}");
        var runtime = new CliRuntime(http, TimeProvider.System, Console.Out, Console.Error);
        return await RunAsync(runtime, args).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(CliRuntime runtime, string[] args)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var root = Create(runtime);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && !HelpRequested(parse))
        {
            var problems = string.Join(" ", parse.Errors.Select(e => ServerExchange.OneLine(e.Message).TrimEnd('.') + "."));
            runtime.Error.WriteLine(CliErrors.InvalidArguments.With(problems, CommandPath(parse)).Description);
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (CommandFailure failure)
        {
            runtime.Error.WriteLine(ServerExchange.OneLine(failure.Message));
            return failure.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return Interrupted;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            runtime.Error.WriteLine(CliErrors.LocalFile.With(ServerExchange.OneLine(exception.Message)).Description);
            return ExitCodes.Usage;
        }
#pragma warning disable CA1031 // The last line of defence: whatever escapes is one line, never a stack trace.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var error = exception is JsonException or FormatException or InvalidOperationException
                ? CliErrors.UnexpectedResponse.With("The server", ServerExchange.OneLine(exception.Message))
                : CliErrors.Unexpected.With(exception.GetType().Name, ServerExchange.OneLine(exception.Message));
            runtime.Error.WriteLine(error.Description);
            return ExitCodes.Unavailable;
        }
    }

    public static RootCommand Create(CliRuntime runtime)
    {
        var root = new RootCommand("tessera: manage a Tessera tenant through its admin API.")
        {
            GlobalOptions.Json,
            GlobalOptions.Server,
            GlobalOptions.Profile,
            LoginCommands.Login(runtime),
            LoginCommands.Logout(runtime),
            AppCommands.Create(runtime),
            ServicePrincipalCommands.Create(runtime),
            UserCommands.Create(runtime),
            GroupCommands.Create(runtime),
            RoleCommands.Create(runtime),
            AuditCommands.Create(runtime),
            PolicyCommands.Create(runtime),
            RiskCommands.Create(runtime),
            KeyCommands.Create(runtime),
            GrantCommands.Create(runtime),
            AssessCommand.Create(runtime),
        };
        return root;
    }

    private static bool HelpRequested(ParseResult parse)
        => parse.Action is System.CommandLine.Help.HelpAction;

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command is not RootCommand)
            {
                names.Insert(0, result.Command.Name);
            }
        }

        return string.Join(' ', ["tessera", .. names]);
    }
}
