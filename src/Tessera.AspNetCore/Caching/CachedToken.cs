using System.Collections.ObjectModel;
using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.AspNetCore.Caching;

/// <summary>A token verified in full, with what every later request that presents it needs, computed once.</summary>
internal sealed class CachedToken
{
    public CachedToken(string encoded, ClaimsIdentity identity, SecurityToken token, DateTimeOffset notAfter, string? tenantId, string? objectId)
    {
        Encoded = encoded;
        Token = token;
        NotAfter = notAfter;
        TenantId = tenantId;
        ObjectId = objectId;
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
    public string? TenantId { get; }
    public string? ObjectId { get; }
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
