using Tessera.Server.Protocol.Resources;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// The transmitter as an API: <c>urn:tessera:ssf</c>, present in every tenant without registration. An application
/// gets a token for it with client credentials and <c>scope=urn:tessera:ssf/.default</c>; it needs no consent and no
/// role, since a stream only carries events about the tenant's subjects to an application of the same tenant.
/// </summary>
public static class SharedSignalsResource
{
    public const string Identifier = "urn:tessera:ssf";

    /// <summary>The resource as the token endpoint sees it: enabled, no scopes, no roles, no assignment required.</summary>
    public static ResourceInfo Info { get; } = new(Guid.Empty, "Shared Signals transmitter", [], [], true, false, "None") { Audience = Identifier };

    public static bool Matches(string identifier) => string.Equals(identifier, Identifier, StringComparison.Ordinal);
}
