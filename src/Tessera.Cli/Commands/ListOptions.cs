using System.CommandLine;
using System.Globalization;

namespace Tessera.Cli.Commands;

/// <summary>The options of the list commands: an OData <c>$filter</c>, and <c>--top</c> to take one page instead of all.</summary>
internal static class ListOptions
{
    /// <summary>Graph's page sizes run from 1 to 999.</summary>
    public static Option<int?> Top(string what)
    {
        var top = new Option<int?>("--top")
        {
            Description = $"Show only the first N {what} (1-999) instead of following every page.",
            HelpName = "N",
        };
        top.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && value is < 1 or > Api.AdminApiClient.LargestPage)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--top must be from 1 to {Api.AdminApiClient.LargestPage}, not {value}."));
            }
        });
        return top;
    }

    public static Option<string?> Filter(string example) => new("--filter")
    {
        Description = $"An OData $filter, as Microsoft Graph spells it (e.g. \"{example}\").",
        HelpName = "expression",
    };

    public static Dictionary<string, string?> Query(string? filter) => new(StringComparer.Ordinal) { ["$filter"] = filter };
}
