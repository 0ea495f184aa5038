using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera policy ca|location|context|whatif</c>: Conditional Access (<c>/identity/conditionalAccess/...</c>).
/// Policies are Microsoft Graph <c>conditionalAccessPolicy</c> JSON files, so one exported from Entra ID or written
/// by hand is created as it is; the server says what Tessera cannot enforce.
/// </summary>
internal static class ConditionalAccessCommands
{
    private const string Policies = "identity/conditionalAccess/policies";
    private const string Locations = "identity/conditionalAccess/namedLocations";
    private const string Contexts = "identity/conditionalAccess/authenticationContextClassReferences";

    private static readonly Column[] PolicyColumns =
    [
        new("Display name", p => p.Text("displayName")),
        new("State", p => p.Text("state")),
        new("Grant", p => Grant(p)),
        new("Id", p => p.Text("id")),
    ];

    private static readonly Column[] LocationColumns =
    [
        new("Display name", l => l.Text("displayName")),
        new("Trusted", l => l.Flag("isTrusted") == true ? "yes" : "no"),
        new("IP ranges", l => string.Join(", ", l.Objects("ipRanges").Select(r => r.Text("cidrAddress")))),
        new("Id", l => l.Text("id")),
    ];

    private static readonly Column[] ContextColumns =
    [
        new("Id", c => c.Text("id")),
        new("Display name", c => c.Text("displayName")),
        new("Available", c => c.Flag("isAvailable") == true ? "yes" : "no"),
        new("Description", c => c.Text("description")),
    ];

    public static IEnumerable<Command> Create(CliRuntime runtime)
        => [PolicyCommand(runtime), LocationCommand(runtime), ContextCommand(runtime), WhatIfCommand(runtime)];

    private static Command PolicyCommand(CliRuntime runtime)
    {
        var list = new Command("list", "List the Conditional Access policies.");
        var filter = ListOptions.Filter("state eq 'enabled'");
        var top = ListOptions.Top("policies");
        list.Options.Add(filter);
        list.Options.Add(top);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var policies = await context.Api().ListAsync(Policies, ListOptions.Query(parse.GetValue(filter)), parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. policies]) },
                () => context.Printer.Table(policies, PolicyColumns, "No Conditional Access policy: every sign-in that passes authentication is granted."));
            return ExitCodes.Ok;
        });

        var showId = IdArgument("policy");
        var show = new Command("show", "Show a policy as Graph JSON.") { showId };
        show.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var policy = await context.Api().GetAsync($"{Policies}/{Uri.EscapeDataString(parse.GetValue(showId)!)}", cancellationToken).ConfigureAwait(false);
            context.Printer.WriteJson(policy);
            return ExitCodes.Ok;
        });

        var createFile = FileOption();
        var createConfirm = ConfirmOption();
        var create = new Command("create", "Create a policy from a Graph conditionalAccessPolicy JSON file.") { createFile, createConfirm };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var body = await ReadFileAsync(parse.GetValue(createFile)!, cancellationToken).ConfigureAwait(false);
            var path = parse.GetValue(createConfirm) ? Policies + "?confirmSelfLockout=true" : Policies;
            var created = await context.Api().SendAsync(HttpMethod.Post, path, body, cancellationToken).ConfigureAwait(false) ?? [];
            Warn(context.Printer, created);
            context.Printer.Result(created, () => context.Printer.Line($"Created the policy '{created.Text("displayName")}' ({created.Text("state")}), id {created.Text("id")}."));
            return ExitCodes.Ok;
        });

        var updateId = IdArgument("policy");
        var updateFile = FileOption();
        var updateConfirm = ConfirmOption();
        var update = new Command("update", "Change a policy: the file's properties replace the policy's (objects merge, as Graph's PATCH).") { updateId, updateFile, updateConfirm };
        update.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var path = $"{Policies}/{Uri.EscapeDataString(parse.GetValue(updateId)!)}";
            var body = await ReadFileAsync(parse.GetValue(updateFile)!, cancellationToken).ConfigureAwait(false);
            var answer = await api.SendAsync(HttpMethod.Patch, parse.GetValue(updateConfirm) ? path + "?confirmSelfLockout=true" : path, body, cancellationToken).ConfigureAwait(false);
            if (answer is not null)
            {
                Warn(context.Printer, answer);
            }

            var policy = await api.GetAsync(path, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(policy, () => context.Printer.Line($"Updated the policy '{policy.Text("displayName")}' ({policy.Text("state")})."));
            return ExitCodes.Ok;
        });

        var deleteId = IdArgument("policy");
        var delete = new Command("delete", "Delete a policy.") { deleteId };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var id = parse.GetValue(deleteId)!;
            await context.Api().SendAsync(HttpMethod.Delete, $"{Policies}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = id, ["deleted"] = true }, () => context.Printer.Line($"Deleted the policy {id}."));
            return ExitCodes.Ok;
        });

        return new Command("ca", "Conditional Access policies (Graph conditionalAccessPolicy JSON).") { list, show, create, update, delete };
    }

    private static Command LocationCommand(CliRuntime runtime)
    {
        var list = new Command("list", "List the IP named locations.");
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var locations = await context.Api().ListAsync(Locations, null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. locations]) },
                () => context.Printer.Table(locations, LocationColumns, "No named location."));
            return ExitCodes.Ok;
        });

        var name = new Option<string>("--name") { Description = "What the place is called (e.g. 'Head office').", Required = true };
        var ranges = new Option<string[]>("--range") { Description = "An IPv4 or IPv6 range in CIDR notation (10.0.0.0/8); repeat for more.", Required = true, AllowMultipleArgumentsPerToken = true, HelpName = "cidr" };
        var trusted = new Option<bool>("--trusted") { Description = "Mark the location trusted (policies can include or exclude AllTrusted)." };
        var create = new Command("create", "Create an IP named location.") { name, ranges, trusted };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var body = new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.ipNamedLocation",
                ["displayName"] = parse.GetValue(name),
                ["isTrusted"] = parse.GetValue(trusted),
                ["ipRanges"] = new JsonArray([.. parse.GetValue(ranges)!.Select(r => (JsonNode?)new JsonObject
                {
                    ["@odata.type"] = r.Contains(':', StringComparison.Ordinal) ? "#microsoft.graph.iPv6CidrRange" : "#microsoft.graph.iPv4CidrRange",
                    ["cidrAddress"] = r,
                })]),
            };
            var created = await context.Api().SendAsync(HttpMethod.Post, Locations, body, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(created, () => context.Printer.Line($"Created the named location '{created.Text("displayName")}', id {created.Text("id")}."));
            return ExitCodes.Ok;
        });

        var deleteId = IdArgument("named location");
        var delete = new Command("delete", "Delete a named location (refused while a policy uses it).") { deleteId };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var id = parse.GetValue(deleteId)!;
            await context.Api().SendAsync(HttpMethod.Delete, $"{Locations}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = id, ["deleted"] = true }, () => context.Printer.Line($"Deleted the named location {id}."));
            return ExitCodes.Ok;
        });

        return new Command("location", "IP named locations that policies include or exclude.") { list, create, delete };
    }

    private static Command ContextCommand(CliRuntime runtime)
    {
        var list = new Command("list", "List the authentication contexts (c1 to c99).");
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var contexts = await context.Api().ListAsync(Contexts, null, null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. contexts]) },
                () => context.Printer.Table(contexts, ContextColumns, "No authentication context."));
            return ExitCodes.Ok;
        });

        var setId = new Argument<string>("id") { Description = "c1 to c99." };
        var name = new Option<string?>("--name") { Description = "What the context protects (e.g. 'Approve payments'); required for a new one." };
        var description = new Option<string?>("--description") { Description = "A longer description." };
        var available = new Option<bool?>("--available") { Description = "Whether applications may ask for it (true or false)." };
        var set = new Command("set", "Create or change an authentication context.") { setId, name, description, available };
        set.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var id = parse.GetValue(setId)!;
            var body = new JsonObject();
            if (parse.GetValue(name) is { } displayName)
            {
                body["displayName"] = displayName;
            }

            if (parse.GetValue(description) is { } text)
            {
                body["description"] = text;
            }

            if (parse.GetValue(available) is { } isAvailable)
            {
                body["isAvailable"] = isAvailable;
            }

            await api.SendAsync(HttpMethod.Patch, $"{Contexts}/{Uri.EscapeDataString(id)}", body, cancellationToken).ConfigureAwait(false);
            var saved = await api.GetAsync($"{Contexts}/{Uri.EscapeDataString(id)}", cancellationToken).ConfigureAwait(false);
            context.Printer.Result(saved, () => context.Printer.Line(
                $"Authentication context {saved.Text("id")} '{saved.Text("displayName")}' is {(saved.Flag("isAvailable") == true ? "available" : "not available")} to applications."));
            return ExitCodes.Ok;
        });

        var deleteId = new Argument<string>("id") { Description = "c1 to c99." };
        var delete = new Command("delete", "Delete an authentication context (refused while a policy uses it).") { deleteId };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var id = parse.GetValue(deleteId)!;
            await context.Api().SendAsync(HttpMethod.Delete, $"{Contexts}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = id, ["deleted"] = true }, () => context.Printer.Line($"Deleted the authentication context {id}."));
            return ExitCodes.Ok;
        });

        return new Command("context", "Authentication contexts (c1 to c99) that applications ask for and policies protect.") { list, set, delete };
    }

    private static Command WhatIfCommand(CliRuntime runtime)
    {
        var user = new Option<string?>("--user") { Description = "The person: object id or user principal name." };
        var servicePrincipal = new Option<string?>("--service-principal") { Description = "Or an application signing in as itself: its app id." };
        var app = new Option<string?>("--app") { Description = "The application signed in to (its app id)." };
        var ip = new Option<string?>("--ip") { Description = "The address the sign-in comes from." };
        var contexts = new Option<string[]>("--context") { Description = "An authentication context asked for (c1 to c99); repeat for more.", AllowMultipleArgumentsPerToken = true };
        var amr = new Option<string?>("--amr") { Description = "How the person authenticated, comma-separated amr values (pwd,mfa).", HelpName = "methods" };
        var client = new Option<string?>("--client-app") { Description = "browser, mobileAppsAndDesktopClients or other." };
        var signInRisk = new Option<string?>("--sign-in-risk") { Description = "none, low, medium or high." };
        var userRisk = new Option<string?>("--user-risk") { Description = "none, low, medium or high." };
        var command = new Command("whatif", "Evaluate every Conditional Access policy for an imagined sign-in and explain each result.")
        {
            user, servicePrincipal, app, ip, contexts, amr, client, signInRisk, userRisk,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var body = new JsonObject();
            void Put(string property, string? value)
            {
                if (value is not null)
                {
                    body[property] = value;
                }
            }

            Put("userId", parse.GetValue(user));
            Put("servicePrincipalId", parse.GetValue(servicePrincipal));
            Put("applicationId", parse.GetValue(app));
            Put("ipAddress", parse.GetValue(ip));
            Put("clientAppType", parse.GetValue(client));
            Put("signInRiskLevel", parse.GetValue(signInRisk));
            Put("userRiskLevel", parse.GetValue(userRisk));
            if (parse.GetValue(contexts) is { Length: > 0 } asked)
            {
                body["authenticationContexts"] = new JsonArray([.. asked.Select(c => (JsonNode?)c)]);
            }

            if (parse.GetValue(amr) is { } methods)
            {
                body["authenticationMethods"] = new JsonArray([.. methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => (JsonNode?)m)]);
            }

            var decision = await context.Api().SendAsync(HttpMethod.Post, "identity/conditionalAccess/evaluate", body, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(decision, () => ShowDecision(context.Printer, decision));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void ShowDecision(Printer printer, JsonObject decision)
    {
        printer.Details(
        [
            ("Outcome", decision.Text("outcome")),
            ("Required strength", decision["requiredAuthenticationStrength"].Text("displayName")),
            ("Sign-in again", decision.Flag("reauthenticationRequired") == true ? "yes" : "no"),
            ("Reached", decision["signIn"].Text("authenticationStrength")),
        ]);
        foreach (var policy in decision.Objects("policies"))
        {
            printer.Line(string.Empty);
            printer.Line($"{policy.Text("displayName")} ({policy.Text("id")}): {policy.Text("result")}");
            foreach (var reason in policy.Strings("explanation"))
            {
                printer.Line("  - " + reason);
            }
        }
    }

    private static Argument<string> IdArgument(string what) => new("id") { Description = $"The {what}'s id." };

    private static Option<FileInfo> FileOption() => new("--file")
    {
        Description = "A JSON file with a Graph conditionalAccessPolicy.",
        Required = true,
        HelpName = "policy.json",
    };

    private static Option<bool> ConfirmOption() => new("--confirm-self-lockout")
    {
        Description = "Save an enabled policy even though it would block or ask more of your own current sign-in.",
    };

    private static async Task<JsonObject> ReadFileAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("the file does not hold a JSON object.");
        }
        catch (JsonException exception)
        {
            throw CommandFailure.Usage(CliErrors.LocalFile.With($"{file.Name} is not a JSON object: {exception.Message}"));
        }
    }

    private static void Warn(Printer printer, JsonObject answer)
    {
        foreach (var warning in answer.Strings("warnings"))
        {
            printer.Notice("Warning: " + warning);
        }
    }

    private static string? Grant(JsonObject policy)
    {
        var grant = policy["grantControls"];
        var controls = grant.Strings("builtInControls").ToList();
        if (grant?["authenticationStrength"].Text("displayName") is { } strength)
        {
            controls.Add(strength);
        }

        var frequency = policy["sessionControls"]?["signInFrequency"];
        if (frequency is not null)
        {
            controls.Add(frequency.Text("frequencyInterval") == "everyTime" ? "sign in every time" : $"sign in every {frequency["value"]} {frequency.Text("type")}");
        }

        var text = string.Join(grant?.Text("operator") == "AND" ? " and " : " or ", controls);
        return policy["sessionControls"]?["continuousAccessEvaluation"].Text("mode") == "strictEnforcement"
            ? text + "; tokens bound to the excluded locations"
            : text;
    }
}
