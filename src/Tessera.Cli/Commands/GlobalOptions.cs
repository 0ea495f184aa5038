using System.CommandLine;

namespace Tessera.Cli.Commands;

/// <summary>The options every command takes.</summary>
internal static class GlobalOptions
{
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the raw JSON result instead of a table.",
        Recursive = true,
    };

    public static readonly Option<string?> Server = new("--server")
    {
        Description = "The server's origin (https://id.example.com), overriding the signed-in session's.",
        Recursive = true,
        HelpName = "origin",
    };

    public static readonly Option<string?> Profile = new("--profile")
    {
        Description = "The profile whose session to use (default: $TESSERA_PROFILE, else 'default').",
        Recursive = true,
        HelpName = "name",
    };
}
