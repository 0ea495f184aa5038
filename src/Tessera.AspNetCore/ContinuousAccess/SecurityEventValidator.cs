using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.Diagnostics;
using Tessera.AspNetCore.Validation;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>
/// Checks a security event token (RFC 8417) from the tenant's transmitter: <c>typ</c> <c>secevent+jwt</c>, an
/// asymmetric signature by one of the tenant's keys (the same JWKS as its access tokens; a key not seen yet reads them
/// again, once), the tenant's issuer, this API's application id as audience, <c>iat</c> neither in the future nor older
/// than any token it could concern, a <c>jti</c> not seen before, and exactly one event. Signature checks are
/// Microsoft.IdentityModel's.
/// </summary>
internal sealed class SecurityEventValidator(TesseraApiSettings settings, ContinuousAccessSettings receiver, TenantMetadata metadata, TimeProvider time)
{
    public const int MaximumLength = 16 * 1024;
    private const int ReplayCapacity = 100_000;
    private static readonly string[] Types = ["secevent+jwt", "application/secevent+jwt"];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly string _issuer = settings.IssuerOf(receiver.TenantId);

    public async Task<(SecurityEvent? Event, SetRejection? Rejection)> ValidateAsync(string set, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(set) || set.Length > MaximumLength || !_handler.CanReadToken(set))
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.SetMalformed);
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(set);
        }
        catch (ArgumentException)
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.SetMalformed);
        }

        if (jwt.IsEncrypted || TesseraTokenHandler.KeyLocationHeaders.Any(h => jwt.TryGetHeaderValue<object>(h, out _)) || jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.SetMalformed);
        }

        if (!Types.Contains(jwt.Typ, StringComparer.OrdinalIgnoreCase))
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetType, TesseraTokenHandler.Printable(jwt.Typ)));
        }

        var result = await VerifyAsync(jwt, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenInvalidIssuerException => Refuse(SetRejection.InvalidIssuer, TesseraApiErrors.SetIssuer),
                SecurityTokenInvalidAudienceException => Refuse(SetRejection.InvalidAudience, TesseraApiErrors.SetAudience),
                SecurityTokenInvalidTypeException => Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetType, TesseraTokenHandler.Printable(jwt.Typ))),
                _ => Refuse(SetRejection.InvalidKey, TesseraApiErrors.Format(TesseraApiErrors.SetSignature, result.Exception?.GetType().Name ?? "unknown")),
            };
        }

        return Read(jwt);
    }

    private async Task<TokenValidationResult> VerifyAsync(JsonWebToken jwt, CancellationToken cancellationToken)
    {
        var configuration = await metadata.GetAsync(receiver.TenantId, cancellationToken).ConfigureAwait(false);
        if (configuration is null)
        {
            return new TokenValidationResult { IsValid = false, Exception = new SecurityTokenSignatureKeyNotFoundException(TesseraApiErrors.Format(TesseraApiErrors.MetadataUnavailable, receiver.TenantId)) };
        }

        var result = await _handler.ValidateTokenAsync(jwt, Parameters(configuration.SigningKeys)).ConfigureAwait(false);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            metadata.RequestRefresh(receiver.TenantId);
            var refreshed = await metadata.GetAsync(receiver.TenantId, cancellationToken).ConfigureAwait(false);
            if (refreshed is not null && !ReferenceEquals(refreshed, configuration))
            {
                result = await _handler.ValidateTokenAsync(jwt, Parameters(refreshed.SigningKeys)).ConfigureAwait(false);
            }
        }

        return result;
    }

    private TokenValidationParameters Parameters(ICollection<SecurityKey> keys) => new()
    {
        ValidTypes = Types,
        ValidAlgorithms = TesseraTokenHandler.Algorithms,
        RequireSignedTokens = true,
        IssuerSigningKeys = keys,
        TryAllIssuerSigningKeys = true,
        ValidateIssuer = true,
        ValidIssuer = _issuer,
        ValidateAudience = true,
        RequireAudience = true,
        ValidAudience = receiver.ClientId,
        IgnoreTrailingSlashWhenValidatingAudience = false,
        // A SET has no lifetime of its own (RFC 8417); iat is checked below, on the application's clock.
        ValidateLifetime = false,
        RequireExpirationTime = false,
        ValidateWithLKG = false,
    };

    /// <summary>The claims a signature cannot vouch for: times, <c>jti</c>, the one event and its subject.</summary>
    private (SecurityEvent?, SetRejection?) Read(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var claims = payload.RootElement;
        if (!claims.TryGetProperty("jti", out var jtiValue) || jtiValue.ValueKind != JsonValueKind.String || jtiValue.GetString() is not { Length: > 0 and <= 256 } jti)
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetClaims, "has no 'jti'"));
        }

        var now = time.GetUtcNow();
        if (!claims.TryGetProperty("iat", out var iatValue) || !iatValue.TryGetInt64(out var iat))
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetTime, "is missing"));
        }

        if (iat > now.Add(settings.ClockSkew).ToUnixTimeSeconds())
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetTime, "is in the future"));
        }

        // Older than the longest access token: every token it could refuse has expired, and the replay cache forgets it.
        var oldest = now.Add(-RevocationState.Horizon).ToUnixTimeSeconds();
        if (iat < oldest)
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetTime, "is older than any token it could concern"));
        }

        if (claims.TryGetProperty("exp", out var expValue) && (!expValue.TryGetInt64(out var exp) || exp < now.Add(-settings.ClockSkew).ToUnixTimeSeconds()))
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetClaims, "has expired ('exp')"));
        }

        if (!claims.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Object || events.EnumerateObject().Count() != 1)
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetClaims, "must carry exactly one event in 'events'"));
        }

        var single = events.EnumerateObject().First();
        SecurityEvent found;
        if (!SecurityEventTypes.Revoking.Contains(single.Name, StringComparer.Ordinal))
        {
            // A verification, or a type this receiver does not know: acknowledged, no effect.
            found = new SecurityEvent(jti, single.Name, null, iat);
        }
        else if (ReadSubject(claims, single.Value, out var subject, out var timestamp) is { } problem)
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.Format(TesseraApiErrors.SetSubject, problem));
        }
        else
        {
            // A user who can sign in more strongly than before loses nothing: only a decrease (or no direction) revokes.
            var increase = single.Name == SecurityEventTypes.AssuranceLevelChange &&
                           single.Value.TryGetProperty("change_direction", out var direction) && direction.ValueKind == JsonValueKind.String &&
                           direction.GetString() == "increase";
            found = new SecurityEvent(jti, single.Name, increase ? null : subject, timestamp);
        }

        // Last, so that only SETs that verified can fill the replay cache.
        if (!Remember(jti, iat, oldest))
        {
            return Refuse(SetRejection.InvalidRequest, TesseraApiErrors.SetReplayed);
        }

        return (found, null);
    }

    private string? ReadSubject(JsonElement claims, JsonElement payload, out Subject subject, out long timestamp)
    {
        subject = default;
        timestamp = 0;
        if (!claims.TryGetProperty("sub_id", out var id) || id.ValueKind != JsonValueKind.Object)
        {
            return "is missing ('sub_id')";
        }

        var format = id.TryGetProperty("format", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        Guid objectId;
        var client = format == "complex";
        if (client)
        {
            // A client application, whatever user its delegated tokens are for: {"format":"complex","application":{"format":"opaque","id":<app id>}}.
            if (!id.TryGetProperty("application", out var application) || application.ValueKind != JsonValueKind.Object ||
                !application.TryGetProperty("format", out var inner) || inner.ValueKind != JsonValueKind.String || inner.GetString() != "opaque" ||
                !application.TryGetProperty("id", out var appId) || appId.ValueKind != JsonValueKind.String || !Guid.TryParse(appId.GetString(), out objectId))
            {
                return "is a 'complex' identifier without an 'application' of format 'opaque' with an application id";
            }
        }
        else if (format != "iss_sub" ||
                 !id.TryGetProperty("iss", out var issuer) || issuer.ValueKind != JsonValueKind.String || issuer.GetString() != _issuer ||
                 !id.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String || !Guid.TryParse(sub.GetString(), out objectId))
        {
            return "is not an 'iss_sub' identifier of the tenant's issuer with an object id";
        }

        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("event_timestamp", out var at) || !at.TryGetInt64(out timestamp))
        {
            return "has no 'event_timestamp'";
        }

        subject = new Subject(receiver.TenantId, objectId, client);
        return null;
    }

    private bool Remember(string jti, long iat, long oldest)
    {
        if (_seen.Count >= ReplayCapacity)
        {
            foreach (var (known, at) in _seen)
            {
                if (at < oldest)
                {
                    _seen.TryRemove(known, out _);
                }
            }

            if (_seen.Count >= ReplayCapacity)
            {
                // Still full: forget the older half. A SET replayed after that only repeats a revocation already in force.
                var cutoff = _seen.Values.Order().ElementAt(_seen.Count / 2);
                foreach (var (known, at) in _seen)
                {
                    if (at <= cutoff)
                    {
                        _seen.TryRemove(known, out _);
                    }
                }
            }
        }

        return _seen.TryAdd(jti, iat);
    }

    private static (SecurityEvent?, SetRejection?) Refuse(string err, string description) => (null, new SetRejection(err, description));
}
