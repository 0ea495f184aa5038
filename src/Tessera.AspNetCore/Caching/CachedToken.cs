using System.Collections.ObjectModel;
using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.ContinuousAccess;

namespace Tessera.AspNetCore.Caching;

/// <summary>A token verified in full, with what every later request that presents it needs, computed once.</summary>
internal sealed class CachedToken
{
    public CachedToken(string encoded, ClaimsIdentity identity, SecurityToken token, DateTimeOffset notAfter, TokenFacts facts)
    {
        Encoded = encoded;
        Token = token;
        NotAfter = notAfter;
        Facts = facts;
        Claims = identity.Claims.ToList().AsReadOnly();
        AuthenticationType = identity.AuthenticationType;
        NameClaimType = identity.NameClaimType;
        RoleClaimType = identity.RoleClaimType;
        BootstrapContext = identity.BootstrapContext;
        IssuedUtc = Utc(token.ValidFrom);
        ExpiresUtc = Utc(token.ValidTo);
    }

    /// <summary>The compact JWT as it was presented.</summary>
    public string Encoded { get; }
    public SecurityToken Token { get; }
    public DateTimeOffset NotAfter { get; }

    /// <summary>Its subject (for eviction), and what the revocation check reads on every request, parsed once.</summary>
    public TokenFacts Facts { get; }

    public ReadOnlyCollection<Claim> Claims { get; }
    public string? AuthenticationType { get; }
    public string NameClaimType { get; }
    public string RoleClaimType { get; }
    public object? BootstrapContext { get; }

    /// <summary><c>nbf</c> and <c>exp</c> as JwtBearer puts them in the ticket's properties, formatted once.</summary>
    public string? IssuedUtc { get; }
    public string? ExpiresUtc { get; }

    /// <summary>An identity of its own for one request, sharing the claims until the request changes them.</summary>
    public ClaimsIdentity NewIdentity() => new SharedClaimsIdentity(this);

    /// <summary>A token time as <see cref="Microsoft.AspNetCore.Authentication.AuthenticationProperties"/> keeps it.</summary>
    public static string? Utc(DateTime value)
        => value == DateTime.MinValue ? null : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToString("r", CultureInfo.InvariantCulture);
}

/// <summary>
/// A token's subject, its <c>iat</c> (Unix seconds; the earliest possible when absent, so that any revocation refuses
/// it) and whether its client can take a claims challenge (<c>xms_cc</c> has <c>cp1</c>); for a delegated token (it has
/// <c>scp</c>), its client (<c>azp</c>, or Entra's v1 <c>appid</c>), which loses it when consent for every user is removed;
/// when Conditional Access bound it to networks, those and its sign-in time (<c>auth_time</c>); for a token bound to a
/// client certificate (RFC 8705), the <c>x5t#S256</c> of its <c>cnf</c>.
/// </summary>
internal readonly record struct TokenFacts(
    Subject? Subject, long IssuedAt, bool ClientCapable, Subject? Client = null, NetworkBinding? Networks = null, long AuthenticatedAt = 0,
    string? CertificateThumbprint = null)
{
    public static TokenFacts Of(JsonWebToken jwt)
    {
        var tenantId = Claim(jwt, "tid");
        var subject = ContinuousAccess.Subject.Of(tenantId, Claim(jwt, "oid"));
        var client = jwt.TryGetPayloadValue<string>("scp", out _) ? ContinuousAccess.Subject.ClientOf(tenantId, Claim(jwt, "azp") ?? Claim(jwt, "appid")) : null;
        var issuedAt = jwt.TryGetPayloadValue<long>("iat", out var iat) ? iat : long.MinValue;
        var capable = jwt.TryGetPayloadValue<string[]>("xms_cc", out var capabilities)
            ? capabilities.Contains("cp1", StringComparer.Ordinal)
            : jwt.TryGetPayloadValue<string>("xms_cc", out var single) && string.Equals(single, "cp1", StringComparison.Ordinal);
        var networks = NetworkBinding.Of(jwt);
        var authenticatedAt = networks is not null && jwt.TryGetPayloadValue<long>("auth_time", out var authTime) ? authTime : issuedAt;
        return new TokenFacts(subject, issuedAt, capable, client, networks, authenticatedAt, Validation.CertificateBinding.Thumbprint(jwt));
    }

    private static string? Claim(JsonWebToken jwt, string name) => jwt.TryGetPayloadValue<string>(name, out var value) ? value : null;
}
