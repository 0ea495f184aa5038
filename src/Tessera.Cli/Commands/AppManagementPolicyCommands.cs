using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera policy app-management</c>: the tenant's default app management policy
/// (<c>/policies/defaultAppManagementPolicy</c>): the longest lifetime of a client secret, and whether new secrets may
/// be added at all (<c>passwordAddition</c>: certificates and federated credentials only).
/// </summary>
internal static class AppManagementPolicyCommands
{
    private static readonly TenantPolicyResource Policy = new("policies/defaultAppManagementPolicy", Show);

    /// <summary>What a new secret gets when its creator names no end (the server's default), unless the cap is shorter.</summary>
    private const int DefaultSecretDays = 180;

    public static Command Create(CliRuntime runtime)
        => new("app-management", "The tenant's rules for application credentials: the longest lifetime of a client secret, or no new secrets at all.")
        {
            Policy.ShowCommand(runtime, "Show the default app management policy."),
            SetCommand(runtime),
        };

    private static Command SetCommand(CliRuntime runtime)
    {
        var days = new Option<int?>("--max-secret-lifetime")
        {
            Description = "The longest lifetime of a new client secret, in days (1 to 730).",
            HelpName = "days",
        };
        var secrets = new Option<string?>("--new-secrets")
        {
            Description = "'forbidden': no new client secrets (certificates and federated credentials only); 'allowed' lifts it.",
            HelpName = "allowed|forbidden",
        };
        secrets.AcceptOnlyFromAmong("allowed", "forbidden");
        var command = new Command("set", "Change the longest lifetime of new client secrets, or forbid new ones; existing secrets keep their end.") { days, secrets };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(days) is null && parse.GetValue(secrets) is null)
            {
                throw CommandFailure.Usage(CliErrors.InvalidArguments.With("Give --max-secret-lifetime, --new-secrets, or both.", "tessera policy app-management set"));
            }

            var context = runtime.For(parse);
            var api = context.Api();

            // The restrictions are replaced as a list: what this command does not change is sent back as it is.
            var current = (await api.SendAsync(HttpMethod.Get, "policies/defaultAppManagementPolicy", null, cancellationToken).ConfigureAwait(false))?
                ["applicationRestrictions"].Objects("passwordCredentials") ?? [];
            var maxLifetime = parse.GetValue(days) is { } d
                ? string.Create(CultureInfo.InvariantCulture, $"P{d}D")
                : current.FirstOrDefault(r => r.Text("restrictionType") == "passwordLifetime")?.Text("maxLifetime") ?? "P730D";
            var forbidden = parse.GetValue(secrets) is { } choice
                ? choice == "forbidden"
                : current.Any(r => r.Text("restrictionType") == "passwordAddition");
            var restrictions = new JsonArray(new JsonObject { ["restrictionType"] = "passwordLifetime", ["maxLifetime"] = maxLifetime });
            if (forbidden)
            {
                restrictions.Add(new JsonObject { ["restrictionType"] = "passwordAddition", ["maxLifetime"] = null });
            }

            var body = new JsonObject { ["applicationRestrictions"] = new JsonObject { ["passwordCredentials"] = restrictions } };
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
            ("New client secrets", policy["applicationRestrictions"].Objects("passwordCredentials").Any(r => r.Text("restrictionType") == "passwordAddition")
                ? "forbidden (certificates and federated credentials only)"
                : "allowed"),
        ]);
    }

    /// <summary>The days of an ISO 8601 duration written in days (<c>P730D</c>); null for anything else.</summary>
    private static int? Days(string? duration)
        => duration is { Length: > 2 } && duration[0] == 'P' && duration[^1] == 'D' &&
           int.TryParse(duration[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days)
            ? days
            : null;
}
