using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera policy consent</c>: what users may consent to for themselves, the tenant's authorization policy
/// (<c>/policies/authorizationPolicy</c>, <c>defaultUserRolePermissions.permissionGrantPoliciesAssigned</c>). The
/// command's short names stand for Entra ID's built-in policy names, which the API speaks.
/// </summary>
internal static class ConsentPolicyCommands
{
    private const string Low = "ManagePermissionGrantsForSelf.microsoft-user-default-low";
    private const string Legacy = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy";

    private static readonly TenantPolicyResource Policy = new("policies/authorizationPolicy", Show);

    /// <summary>The short names, each with the policies it assigns and what it means for people.</summary>
    private static readonly (string Name, string[] Assigned, string Meaning)[] Settings =
    [
        ("none", [], "users may not consent; an administrator grants every permission"),
        ("low", [Low], "users may consent to permissions rated low, for applications of verified publishers or of this organisation"),
        ("legacy", [Legacy], "users may consent to every permission that does not need an administrator"),
    ];

    public static Command Create(CliRuntime runtime)
        => new("consent", "What users may consent to for themselves (the authorization policy).")
        {
            Policy.ShowCommand(runtime, "Show what users may consent to."),
            SetCommand(runtime),
        };

    private static Command SetCommand(CliRuntime runtime)
    {
        var setting = new Argument<string>("setting")
        {
            Description = "none (only administrators grant permissions), low (the default: low-risk permissions of verified publishers), or legacy (any permission users may consent to).",
        };
        setting.AcceptOnlyFromAmong([.. Settings.Select(s => s.Name)]);
        var command = new Command("set", "Change what users may consent to for themselves.") { setting };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var chosen = Settings.Single(s => s.Name == parse.GetValue(setting));
            var current = await api.GetAsync(Policy.Path, cancellationToken).ConfigureAwait(false);
            var body = new JsonObject
            {
                ["defaultUserRolePermissions"] = new JsonObject
                {
                    ["permissionGrantPoliciesAssigned"] = new JsonArray([.. chosen.Assigned.Select(a => (JsonNode?)a)]),
                },
            };
            return await Policy.ChangeAsync(context, api, body, cancellationToken, current.Text("@odata.etag")).ConfigureAwait(false);
        });
        return command;
    }

    private static void Show(Printer printer, JsonObject policy)
    {
        var assigned = policy["defaultUserRolePermissions"].Strings("permissionGrantPoliciesAssigned");
        var known = Settings.FirstOrDefault(s => s.Assigned.SequenceEqual(assigned, StringComparer.Ordinal));
        printer.Details(
        [
            ("User consent", known.Name ?? "(set outside this command)"),
            ("Meaning", known.Meaning),
            ("Policies assigned", assigned.Count == 0 ? "(none)" : string.Join('\n', assigned)),
        ]);
    }
}
