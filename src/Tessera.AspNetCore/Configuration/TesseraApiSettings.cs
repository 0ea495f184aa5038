using Tessera.AspNetCore.ContinuousAccess;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.Configuration;

/// <summary>A scheme's <see cref="TesseraApiOptions"/>, checked and normalised once at start-up.</summary>
internal sealed record TesseraApiSettings(
    string Scheme,
    string Instance,
    Guid? TenantId,
    IReadOnlySet<Guid> AllowedTenants,
    IReadOnlyList<string> Audiences,
    TimeSpan ClockSkew,
    int TokenCacheSize,
    TimeSpan TokenCacheMaxAge,
    bool RequireHttps,
    ContinuousAccessSettings? ContinuousAccess = null)
{
    public static readonly TimeSpan MaximumClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>True for <c>organizations</c> and <c>common</c>: tokens of several tenants, each with its own issuer.</summary>
    public bool IsMultitenant => TenantId is null;

    public string IssuerOf(Guid tenantId) => $"{Instance}/{tenantId:D}/v2.0";

    public string MetadataAddressOf(Guid tenantId) => $"{Instance}/{tenantId:D}/v2.0/.well-known/openid-configuration";

    /// <summary>The tenant's Shared Signals transmitter metadata (path insertion after the host, as SSF 1.0 says).</summary>
    public string TransmitterMetadataAddressOf(Guid tenantId) => $"{Instance}/.well-known/ssf-configuration/{tenantId:D}/v2.0";

    /// <summary>Whether tokens of <paramref name="tenantId"/> may be accepted at all (before any key is looked at).</summary>
    public bool Accepts(Guid tenantId)
        => TenantId is { } single ? tenantId == single : AllowedTenants.Count == 0 || AllowedTenants.Contains(tenantId);

    /// <summary>Checks <paramref name="options"/>; returns the settings, or every problem found (TSR08xx).</summary>
    public static TesseraApiSettings? Read(string scheme, TesseraApiOptions options, out List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        errors = [];
        var instance = ReadInstance(scheme, options.Instance, errors, out var requireHttps);
        var tenantId = ReadTenant(scheme, options.TenantId, errors, out var multitenant);
        var allowed = ReadAllowedTenants(options.AllowedTenants, multitenant, errors);
        var audiences = ReadAudiences(scheme, options, errors);

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaximumClockSkew)
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.ClockSkewInvalid, options.ClockSkew));
        }

        if (options.TokenCacheSize < 0)
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.TokenCacheInvalid, $"TokenCacheSize {options.TokenCacheSize} is negative. Give a number of tokens, or 0 to turn the cache off."));
        }

        if (options.TokenCacheMaxAge <= TimeSpan.Zero || options.TokenCacheMaxAge > TimeSpan.FromDays(1))
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.TokenCacheInvalid, $"TokenCacheMaxAge {options.TokenCacheMaxAge} is outside (0, 1 day]. Give how long a validated token may be remembered, e.g. 00:05:00."));
        }

        var continuousAccess = ContinuousAccessSettings.Read(options.ContinuousAccess, tenantId, options.ClientId, errors);

        return errors.Count > 0 || instance is null || (tenantId is null && !multitenant)
            ? null
            : new TesseraApiSettings(scheme, instance, tenantId, allowed, audiences, options.ClockSkew, options.TokenCacheSize, options.TokenCacheMaxAge, requireHttps, continuousAccess);
    }

    private static string? ReadInstance(string scheme, string? value, List<string> errors, out bool requireHttps)
    {
        requireHttps = true;
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.OptionMissing, nameof(TesseraApiOptions.Instance), scheme));
            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) ||
            uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.InstanceInvalid, value));
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.InstanceNotHttps, value));
            return null;
        }

        requireHttps = !uri.IsLoopback;
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    private static Guid? ReadTenant(string scheme, string? value, List<string> errors, out bool multitenant)
    {
        multitenant = false;
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.OptionMissing, nameof(TesseraApiOptions.TenantId), scheme));
            return null;
        }

        if (value.Equals("organizations", StringComparison.OrdinalIgnoreCase) || value.Equals("common", StringComparison.OrdinalIgnoreCase))
        {
            multitenant = true;
            return null;
        }

        if (Guid.TryParse(value, out var id) && id != Guid.Empty)
        {
            return id;
        }

        errors.Add(TesseraApiErrors.Format(TesseraApiErrors.TenantIdInvalid, value));
        return null;
    }

    private static HashSet<Guid> ReadAllowedTenants(IList<string> values, bool multitenant, List<string> errors)
    {
        var allowed = new HashSet<Guid>();
        if (values.Count > 0 && !multitenant)
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.AllowedTenantsInvalid, "is set for a single-tenant API"));
        }

        foreach (var value in values)
        {
            if (Guid.TryParse(value, out var id) && id != Guid.Empty)
            {
                allowed.Add(id);
            }
            else
            {
                errors.Add(TesseraApiErrors.Format(TesseraApiErrors.AllowedTenantsInvalid, $"has '{value}', which is not a tenant id"));
            }
        }

        return allowed;
    }

    private static List<string> ReadAudiences(string scheme, TesseraApiOptions options, List<string> errors)
    {
        var audiences = new List<string>();
        var hasApplicationId = false;
        if (!string.IsNullOrWhiteSpace(options.ClientId))
        {
            if (Guid.TryParse(options.ClientId, out var clientId) && clientId != Guid.Empty)
            {
                audiences.Add(clientId.ToString("D"));
                hasApplicationId = true;
            }
            else
            {
                errors.Add(TesseraApiErrors.Format(TesseraApiErrors.AudienceInvalid, $"ClientId '{options.ClientId}' is not an application id."));
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Audience))
        {
            if (Guid.TryParse(options.Audience, out var appId) && appId != Guid.Empty)
            {
                audiences.Add(appId.ToString("D"));
                hasApplicationId = true;
            }
            else if (Uri.TryCreate(options.Audience, UriKind.Absolute, out _))
            {
                audiences.Add(options.Audience);
            }
            else
            {
                errors.Add(TesseraApiErrors.Format(TesseraApiErrors.AudienceInvalid, $"Audience '{options.Audience}' is neither an application id nor an identifier URI."));
            }
        }

        if (audiences.Count == 0 && string.IsNullOrWhiteSpace(options.ClientId) && string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.OptionMissing, nameof(TesseraApiOptions.ClientId) + "' or 'Audience", scheme));
        }
        else if (audiences.Count > 0 && !hasApplicationId)
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.AudienceInvalid, $"Audience '{options.Audience}' is an identifier URI and ClientId is not set."));
        }

        return audiences.Distinct(StringComparer.Ordinal).ToList();
    }
}
