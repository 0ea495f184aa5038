using Tessera.Policy.Errors;

namespace Tessera.Policy.Registrations;

/// <summary>
/// Which groups a user's tokens for an application name (Graph's <c>groupMembershipClaims</c>). Tessera's groups are
/// security groups only, so of Graph's values it offers <c>None</c>, <c>SecurityGroup</c> and <c>All</c>.
/// </summary>
public static class GroupMembershipClaimsRules
{
    public const string None = "None";
    public const string SecurityGroup = "SecurityGroup";
    public const string All = "All";

    public static readonly IReadOnlyList<string> Supported = [None, SecurityGroup, All];

    /// <summary>The value as stored, whatever its case; null (Graph's "not set") is <c>None</c>.</summary>
    public static (string? Value, TesseraError? Error) Parse(string? value)
    {
        if (value is null)
        {
            return (None, null);
        }

        var stored = Supported.FirstOrDefault(v => string.Equals(v, value.Trim(), StringComparison.OrdinalIgnoreCase));
        return stored is null ? (null, RegistrationErrors.GroupMembershipClaimsUnknown.With(value)) : (stored, null);
    }
}
