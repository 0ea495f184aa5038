using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera policy app-management</c>: the tenant's default app management policy
/// (<c>/policies/defaultAppManagementPolicy</c>), whose one rule is the longest lifetime of a client secret.
/// </summary>
internal static class AppManagementPolicyCommands
{
    private static readonly TenantPolicyResource Policy = new("policies/defaultAppManagementPolicy", Show);

    /// <summary>What a new secret gets when its creator names no end (the server's default), unless the cap is shorter.</summary>
    private const int DefaultSecretDays = 180;

    public static Command Create(CliRuntime runtime)
        => new("app-management", "The tenant's rules for application credentials: the longest lifetime of a client secret.")
        {
            Policy.ShowCommand(runtime, "Show the default app management policy."),
            SetCommand(runtime),
        };

    private static Command SetCommand(CliRuntime runtime)
    {
        var days = new Option<int>("--max-secret-lifetime")
        {
            Description = "The longest lifetime of a new client secret, in days (1 to 730).",
            Required = true,
            HelpName = "days",
        };
        var command = new Command("set", "Change the longest lifetime of new client secrets; existing secrets keep their end.") { days };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var maxLifetime = string.Create(CultureInfo.InvariantCulture, $"P{parse.GetValue(days)}D");
            var body = new JsonObject
            {
                ["applicationRestrictions"] = new JsonObject
                {
                    ["passwordCredentials"] = new JsonArray(new JsonObject { ["restrictionType"] = "passwordLifetime", ["maxLifetime"] = maxLifetime }),
                },
            };
            return await Policy.ChangeAsync(context, api, body, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static void Show(Printer printer, JsonObject policy)
    {
        var lifetime = policy["applicationRestrictions"].Objects("passwordCredentials")
            .FirstOrDefault(r => r.Text("restrictionType") == "passwordLifetime")?.Text("maxLifetime");
        var days = Days(lifetime);
        printer.Details(
        [
            ("Policy", policy.Text("displayName")),
            ("Enabled", policy.Flag("isEnabled") == true ? "yes" : "no"),
            ("Longest client secret lifetime", days is { } d ? $"{d} days ({lifetime})" : lifetime),
            ("New secrets without an end", days is { } cap ? $"{Math.Min(cap, DefaultSecretDays)} days" : null),
        ]);
    }

    /// <summary>The days of an ISO 8601 duration written in days (<c>P730D</c>); null for anything else.</summary>
    private static int? Days(string? duration)
        => duration is { Length: > 2 } && duration[0] == 'P' && duration[^1] == 'D' &&
           int.TryParse(duration[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days)
            ? days
            : null;
}
