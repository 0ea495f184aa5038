using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// One tenant policy under <c>/policies</c> as a <c>tessera policy</c> subcommand sees it: where it lives and how to
/// print it. Its <c>show</c> reads and prints it; a <c>set</c> builds its own change and hands it here to be sent
/// (with If-Match when the change was made from what was read) and the policy as it now stands printed.
/// </summary>
internal sealed class TenantPolicyResource(string path, Action<Printer, JsonObject> show)
{
    /// <summary>The policy's path under the admin API.</summary>
    public string Path => path;

    /// <summary>The <c>show</c> subcommand: read the policy and print it.</summary>
    public Command ShowCommand(CliRuntime runtime, string description)
    {
        var command = new Command("show", description);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            return await PrintAsync(context, context.Api(), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Send <paramref name="body"/> as a PATCH, then read the policy again and print it.</summary>
    public async Task<int> ChangeAsync(CommandContext context, AdminApiClient api, JsonObject body, CancellationToken cancellationToken, string? ifMatch = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        await api.SendAsync(HttpMethod.Patch, path, body, cancellationToken, ifMatch).ConfigureAwait(false);
        return await PrintAsync(context, api, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> PrintAsync(CommandContext context, AdminApiClient api, CancellationToken cancellationToken)
    {
        var policy = await api.GetAsync(path, cancellationToken).ConfigureAwait(false);
        context.Printer.Result(policy, () => show(context.Printer, policy));
        return ExitCodes.Ok;
    }
}
