using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera policy password</c>: the tenant's password protection (<c>/policies/passwordProtectionPolicy</c>): the
/// custom banned password list and whether it is enforced, and smart lockout's threshold and first lockout duration.
/// </summary>
internal static class PasswordPolicyCommands
{
    private static readonly TenantPolicyResource Policy = new("policies/passwordProtectionPolicy", Show);

    public static Command Create(CliRuntime runtime)
        => new("password", "The tenant's password protection: banned passwords and smart lockout.")
        {
            Policy.ShowCommand(runtime, "Show the password protection policy, banned words included."),
            SetCommand(runtime),
        };

    private static Command SetCommand(CliRuntime runtime)
    {
        var ban = new Option<string[]>("--ban")
        {
            Description = "Add a word to the banned list (4 to 64 characters); repeat for several.",
            HelpName = "word",
            AllowMultipleArgumentsPerToken = true,
        };
        var allow = new Option<string[]>("--unban")
        {
            Description = "Remove a word from the banned list; repeat for several.",
            HelpName = "word",
            AllowMultipleArgumentsPerToken = true,
        };
        var clear = new Option<bool>("--clear-banned") { Description = "Empty the banned list before --ban adds to it." };
        var enforce = new Option<bool?>("--enforce-banned") { Description = "Whether the banned list is enforced (true or false).", HelpName = "true|false" };
        var threshold = new Option<int?>("--lockout-threshold") { Description = "Failed sign-ins that lock an account (3 to 100).", HelpName = "count" };
        var duration = new Option<int?>("--lockout-duration") { Description = "Seconds the first lockout lasts (5 to 86400); each further one lasts twice as long.", HelpName = "seconds" };
        var command = new Command("set", "Change the password protection policy; what is not given stays as it is.")
        {
            ban, allow, clear, enforce, threshold, duration,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var body = new JsonObject();
            var added = parse.GetValue(ban) ?? [];
            var removed = parse.GetValue(allow) ?? [];
            if (added.Length > 0 || removed.Length > 0 || parse.GetValue(clear))
            {
                // Read, change and write back with If-Match, so that a concurrent change is refused rather than lost.
                var current = await api.GetAsync(Policy.Path, cancellationToken).ConfigureAwait(false);
                var words = parse.GetValue(clear) ? [] : current.Strings("bannedPasswordList").ToList();
                words.RemoveAll(w => removed.Contains(w, StringComparer.OrdinalIgnoreCase));
                words.AddRange(added.Where(a => !words.Contains(a, StringComparer.OrdinalIgnoreCase)));
                body["bannedPasswordList"] = new JsonArray([.. words.Select(w => (JsonNode)w)]);
                body["@odata.etag"] = current.Text("@odata.etag");
            }

            if (parse.GetValue(enforce) is { } enforced)
            {
                body["enableBannedPasswordCheck"] = enforced;
            }

            if (parse.GetValue(threshold) is { } count)
            {
                body["lockoutThreshold"] = count;
            }

            if (parse.GetValue(duration) is { } seconds)
            {
                body["lockoutDurationInSeconds"] = seconds;
            }

            if (body.Count == 0)
            {
                throw CommandFailure.Usage(CliErrors.InvalidArguments.With(
                    "Nothing to change: give --ban, --unban, --clear-banned, --enforce-banned, --lockout-threshold or --lockout-duration.",
                    "tessera policy password set"));
            }

            var etag = body["@odata.etag"]?.GetValue<string>();
            body.Remove("@odata.etag");
            return await Policy.ChangeAsync(context, api, body, cancellationToken, etag).ConfigureAwait(false);
        });
        return command;
    }

    private static void Show(Printer printer, JsonObject policy)
    {
        var banned = policy.Strings("bannedPasswordList").ToList();
        printer.Details(
        [
            ("Policy", policy.Text("displayName")),
            ("Password length", $"{policy.Text("minimumPasswordLength")} to {policy.Text("maximumPasswordLength")} characters"),
            ("Common passwords", "always refused"),
            ("Banned list enforced", policy.Flag("enableBannedPasswordCheck") == true ? "yes" : "no"),
            ("Banned words", banned.Count == 0 ? "none" : string.Join(", ", banned)),
            ("Lockout threshold", policy.Text("lockoutThreshold") is { } t ? $"{t} failed sign-ins" : null),
            ("Lockout duration", policy.Text("lockoutDurationInSeconds") is { } d ? string.Create(CultureInfo.InvariantCulture, $"{d} seconds, doubling for each lockout in a row") : null),
        ]);
    }
}
