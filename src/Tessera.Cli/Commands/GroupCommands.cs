using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera group</c>: security groups (<c>/groups</c>) and their members.</summary>
internal static partial class GroupCommands
{
    private static readonly Column[] ListColumns =
    [
        new("Display name", g => g.Text("displayName")),
        new("Id", g => g.Text("id")),
        new("Description", g => g.Text("description")),
    ];

    private static readonly Column[] MemberColumns =
    [
        new("Type", m => m.Text("@odata.type")?.Split('.')[^1]),
        new("Display name", m => m.Text("displayName")),
        new("User principal name", m => m.Text("userPrincipalName")),
        new("Id", m => m.Text("id")),
    ];

    public static Command Create(CliRuntime runtime)
        => new("group", "Security groups: create, list, show, delete, and their members.")
        {
            CreateCommand(runtime),
            ListCommand(runtime),
            ShowCommand(runtime),
            DeleteCommand(runtime),
            AddMemberCommand(runtime),
            RemoveMemberCommand(runtime),
            MembersCommand(runtime),
        };

    /// <summary>A group by object id or by its display name (which must name exactly one group).</summary>
    public static async Task<JsonObject> ResolveAsync(AdminApiClient api, string idOrName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        if (Guid.TryParse(idOrName, out var id))
        {
            return await api.FindAsync($"groups/{id:D}", cancellationToken).ConfigureAwait(false)
                   ?? throw CommandFailure.Refused(CliErrors.NotFound.With("group", idOrName));
        }

        var matches = await api.ListAsync("groups", ListOptions.Query($"displayName eq {AdminApiClient.Literal(idOrName)}"), null, cancellationToken).ConfigureAwait(false);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CommandFailure.Refused(CliErrors.NotFound.With("group", idOrName)),
            _ => throw CommandFailure.Usage(CliErrors.Ambiguous.With(matches.Count, "groups", idOrName)),
        };
    }

    private static Argument<string> GroupArgument() => new("group") { Description = "The group's object id or display name." };

    private static Argument<string> MemberArgument() => new("member") { Description = "The member: a user principal name, or any directory object's id." };

    private static Command CreateCommand(CliRuntime runtime)
    {
        var name = new Option<string>("--name") { Description = "The display name.", Required = true };
        var description = new Option<string?>("--description") { Description = "What the group is for." };
        var nickname = new Option<string?>("--mail-nickname") { Description = "The mail nickname (default: made from the name).", HelpName = "nickname" };
        var command = new Command("create", "Create a security group.") { name, description, nickname };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var displayName = parse.GetValue(name)!;
            var body = new JsonObject
            {
                ["displayName"] = displayName,
                ["mailEnabled"] = false,
                ["mailNickname"] = parse.GetValue(nickname) ?? Nickname(displayName),
                ["securityEnabled"] = true,
            };
            if (parse.GetValue(description) is { } text)
            {
                body["description"] = text;
            }

            var group = await context.Api().SendAsync(HttpMethod.Post, "groups", body, cancellationToken).ConfigureAwait(false) ?? [];
            context.Printer.Result(group, () => Show(context.Printer, group));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListCommand(CliRuntime runtime)
    {
        var filter = ListOptions.Filter("startswith(displayName,'Finance')");
        var top = ListOptions.Top("groups");
        var command = new Command("list", "List the tenant's groups.") { filter, top };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var groups = await context.Api().ListAsync("groups", ListOptions.Query(parse.GetValue(filter)), parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. groups]) },
                () => context.Printer.Table(groups, ListColumns, "No groups."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ShowCommand(CliRuntime runtime)
    {
        var group = GroupArgument();
        var command = new Command("show", "Show a group.") { group };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var found = await ResolveAsync(context.Api(), parse.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(found, () => Show(context.Printer, found));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DeleteCommand(CliRuntime runtime)
    {
        var group = GroupArgument();
        var command = new Command("delete", "Delete a group (its members stay; they only leave it).") { group };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            var id = found.Text("id")!;
            await api.SendAsync(HttpMethod.Delete, $"groups/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["id"] = id, ["deleted"] = true },
                () => context.Printer.Line($"Deleted group '{found.Text("displayName")}' ({id})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AddMemberCommand(CliRuntime runtime)
    {
        var group = GroupArgument();
        var member = MemberArgument();
        var command = new Command("add-member", "Add a member to a group.") { group, member };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            var memberId = await MemberIdAsync(api, parse.GetValue(member)!, cancellationToken).ConfigureAwait(false);
            var groupId = found.Text("id")!;
            await api.SendAsync(HttpMethod.Post, $"groups/{Uri.EscapeDataString(groupId)}/members/$ref",
                new JsonObject { ["@odata.id"] = api.DirectoryObjectReference(memberId) }, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["groupId"] = groupId, ["memberId"] = memberId, ["added"] = true },
                () => context.Printer.Line($"Added {memberId} to group '{found.Text("displayName")}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RemoveMemberCommand(CliRuntime runtime)
    {
        var group = GroupArgument();
        var member = MemberArgument();
        var command = new Command("remove-member", "Remove a member from a group.") { group, member };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            var memberId = await MemberIdAsync(api, parse.GetValue(member)!, cancellationToken).ConfigureAwait(false);
            var groupId = found.Text("id")!;
            await api.SendAsync(HttpMethod.Delete, $"groups/{Uri.EscapeDataString(groupId)}/members/{Uri.EscapeDataString(memberId)}/$ref", null, cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["groupId"] = groupId, ["memberId"] = memberId, ["removed"] = true },
                () => context.Printer.Line($"Removed {memberId} from group '{found.Text("displayName")}'."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command MembersCommand(CliRuntime runtime)
    {
        var group = GroupArgument();
        var top = ListOptions.Top("members");
        var command = new Command("members", "List a group's members.") { group, top };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            var api = context.Api();
            var found = await ResolveAsync(api, parse.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            var members = await api.ListAsync($"groups/{Uri.EscapeDataString(found.Text("id")!)}/members", null, parse.GetValue(top), cancellationToken).ConfigureAwait(false);
            context.Printer.Result(new JsonObject { ["value"] = new JsonArray([.. members]) },
                () => context.Printer.Table(members, MemberColumns, "No members."));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A member named by id is taken as it is (a user, a group, a service principal); a name is looked up as a user.</summary>
    private static async Task<string> MemberIdAsync(AdminApiClient api, string member, CancellationToken cancellationToken)
        => Guid.TryParse(member, out var id)
            ? id.ToString("D")
            : (await UserCommands.ResolveAsync(api, member, cancellationToken).ConfigureAwait(false)).Text("id")!;

    private static void Show(Printer printer, JsonObject group)
        => printer.Details(
        [
            ("Display name", group.Text("displayName")),
            ("Id", group.Text("id")),
            ("Description", group.Text("description")),
            ("Mail nickname", group.Text("mailNickname")),
            ("Created", group.Date("createdDateTime").Display()),
        ]);

    private static string Nickname(string displayName)
    {
        var nickname = NotNickname().Replace(displayName, string.Empty);
        return nickname.Length == 0 ? "group" + Guid.NewGuid().ToString("N")[..8] : nickname[..Math.Min(nickname.Length, 64)];
    }

    [GeneratedRegex("[^A-Za-z0-9._-]", RegexOptions.CultureInvariant)]
    private static partial Regex NotNickname();
}
