using System.CommandLine;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera policy</c>: the tenant's policies (<c>/policies</c>), one subcommand per policy.</summary>
internal static class PolicyCommands
{
    public static Command Create(CliRuntime runtime)
    {
        var policy = new Command("policy", "The tenant's policies.")
        {
            AppManagementPolicyCommands.Create(runtime),
            ConsentPolicyCommands.Create(runtime),
            PasswordPolicyCommands.Create(runtime),
            SessionPolicyCommands.Create(runtime),
        };
        foreach (var command in ConditionalAccessCommands.Create(runtime))
        {
            policy.Subcommands.Add(command);
        }

        return policy;
    }
}
