using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Caching;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.ContinuousAccess;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.Validation;

/// <summary>
/// The only token handler of a Tessera API scheme, called by <see cref="TesseraBearerHandler"/>. A token seen before and
/// not yet expired is answered from the cache; any other is checked here for what
/// needs no key (header, type, algorithm, tenant, issuer), then verified in full by <see cref="JsonWebTokenHandler"/>
/// with the tenant's keys and parameters built from <see cref="TesseraApiOptions"/> alone: what an application puts in
/// <c>JwtBearerOptions.TokenValidationParameters</c> changes how claims are presented, never what is checked.
/// </summary>
internal sealed class TesseraTokenHandler : TokenHandler, IDisposable
{
    /// <summary>Asymmetric signatures only: never <c>none</c>, never an HMAC whose secret could be a public key.</summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
    ];

    /// <summary>RFC 9068 access tokens.</summary>
    public static readonly IReadOnlyList<string> AccessTokenTypes = ["at+jwt", "application/at+jwt"];

    /// <summary>Header parameters that would let a token choose the key it is checked with.</summary>
    public static readonly IReadOnlyList<string> KeyLocationHeaders = ["jku", "x5u", "jwk", "x5c"];

    private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };
    private readonly TesseraApiSettings _settings;
    private readonly TenantMetadata _metadata;
    private readonly TimeProvider _time;
    private readonly TokenMetrics _metrics;
    private readonly RevocationState _revocations;
    private readonly ILogger _logger;

    public TesseraTokenHandler(
        TesseraApiSettings settings, TenantMetadata metadata, ValidatedTokenCache cache, RevocationState revocations, TimeProvider time, TokenMetrics metrics, ILogger logger)
    {
        _settings = settings;
        _metadata = metadata;
        _revocations = revocations;
        Cache = cache;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public ValidatedTokenCache Cache { get; }

    public TesseraApiSettings Settings => _settings;

    public TenantMetadata Metadata => _metadata;

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    /// <summary>
    /// A token this scheme verified before and that has not expired since: served (<paramref name="cached"/>), or
    /// refused because its subject's access was revoked since (<paramref name="revoked"/>, and forgotten).
    /// </summary>
    public bool TryGetCached(ReadOnlySpan<char> token, out CachedToken? cached, out TokenRevokedException? revoked)
    {
        revoked = null;
        if (!Cache.TryGet(token, out cached))
        {
            return false;
        }

        if (_revocations.IsRevoked(cached.Facts, out var revokedAt))
        {
            Cache.Remove(cached.Encoded);
            revoked = Revoked(cached.Facts, revokedAt);
            cached = null;
            return true;
        }

        _metrics.Cached(_settings.Scheme);
        return true;
    }

    /// <summary>Verifies a token in full and, when it is accepted, remembers it.</summary>
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        if (string.IsNullOrEmpty(token) || token.Length > _inner.MaximumTokenSizeInBytes)
        {
            return Refuse(new SecurityTokenMalformedException(TesseraApiErrors.NotASignedJwt));
        }

        var result = await ValidateInFullAsync(token, validationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Refuse(result.Exception ?? new SecurityTokenValidationException(TesseraApiErrors.NotASignedJwt));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var facts = TokenFacts.Of(jwt);
        if (_revocations.IsRevoked(facts, out var revokedAt))
        {
            return Failed(Revoked(facts, revokedAt));
        }

        _metrics.Validated(_settings.Scheme);
        Cache.Add(token, result.ClaimsIdentity, jwt, facts);
        return result;
    }

    /// <summary>Counts and logs a refusal by Continuous Access Evaluation.</summary>
    private TokenRevokedException Revoked(TokenFacts facts, long revokedAt)
    {
        _metrics.Revoked(_settings.Scheme);
        Log.TokenRevoked(_logger, _settings.Scheme, facts.Subject?.ObjectId, facts.Subject?.TenantId, revokedAt, facts.ClientCapable);
        return new TokenRevokedException(revokedAt, facts.ClientCapable);
    }

    public void Dispose() => _metadata.Dispose();

    private async Task<TokenValidationResult> ValidateInFullAsync(string token, TokenValidationParameters presentation)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Failed(new SecurityTokenMalformedException(TesseraApiErrors.NotASignedJwt));
        }

        if (Precheck(jwt, out var tenantId) is { } refusal)
        {
            return Failed(refusal);
        }

        var issuer = _settings.IssuerOf(tenantId);
        var configuration = await _metadata.GetAsync(tenantId, CancellationToken.None).ConfigureAwait(false);
        if (configuration is null)
        {
            return Failed(new SecurityTokenSignatureKeyNotFoundException(TesseraApiErrors.Format(TesseraApiErrors.MetadataUnavailable, tenantId)));
        }

        var result = await _inner.ValidateTokenAsync(jwt, Parameters(presentation, issuer, configuration.SigningKeys)).ConfigureAwait(false);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // A key not seen yet: the tenant's keys rotated since they were read. JwtBearer would refresh for the next
            // request; one more read (rate-limited by RefreshInterval) lets this one through too.
            Log.SigningKeyNotFound(_logger, _settings.Scheme);
            _metadata.RequestRefresh(tenantId);
            var refreshed = await _metadata.GetAsync(tenantId, CancellationToken.None).ConfigureAwait(false);
            if (refreshed is not null && !ReferenceEquals(refreshed, configuration))
            {
                result = await _inner.ValidateTokenAsync(jwt, Parameters(presentation, issuer, refreshed.SigningKeys)).ConfigureAwait(false);
            }
        }

        return result;
    }

    /// <summary>What can be refused before any key is looked at, so that a bad token costs no metadata read.</summary>
    private Exception? Precheck(JsonWebToken jwt, out Guid tenantId)
    {
        tenantId = Guid.Empty;
        if (jwt.IsEncrypted)
        {
            return new SecurityTokenMalformedException(TesseraApiErrors.NotASignedJwt);
        }

        foreach (var header in KeyLocationHeaders)
        {
            if (jwt.TryGetHeaderValue<object>(header, out _))
            {
                return new SecurityTokenInvalidSigningKeyException(TesseraApiErrors.Format(TesseraApiErrors.KeyLocationHeader, header));
            }
        }

        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return new SecurityTokenMalformedException(TesseraApiErrors.CriticalHeader);
        }

        if (!AccessTokenTypes.Contains(jwt.Typ, StringComparer.OrdinalIgnoreCase))
        {
            return new SecurityTokenInvalidTypeException(TesseraApiErrors.Format(TesseraApiErrors.NotAnAccessToken, Printable(jwt.Typ)));
        }

        if (!Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return new SecurityTokenInvalidAlgorithmException(TesseraApiErrors.Format(TesseraApiErrors.AlgorithmRefused, Printable(jwt.Alg)));
        }

        if (!Guid.TryParseExact(Claim(jwt, "tid"), "D", out tenantId) || !_settings.Accepts(tenantId))
        {
            return new SecurityTokenInvalidIssuerException(TesseraApiErrors.TenantRefused);
        }

        if (!string.Equals(jwt.Issuer, _settings.IssuerOf(tenantId), StringComparison.Ordinal))
        {
            return new SecurityTokenInvalidIssuerException(TesseraApiErrors.IssuerRefused);
        }

        return null;
    }

    /// <summary>
    /// The checks, from <see cref="TesseraApiOptions"/> only; from the application's parameters, only how the identity
    /// is presented (name and role claim types, authentication type, the bootstrap token).
    /// </summary>
    private TokenValidationParameters Parameters(TokenValidationParameters presentation, string issuer, ICollection<SecurityKey> keys)
    {
        var parameters = new TokenValidationParameters
        {
            ValidTypes = AccessTokenTypes,
            ValidAlgorithms = Algorithms,
            RequireSignedTokens = true,
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = true,
            ValidateIssuer = true,
            ValidIssuer = issuer,
            ValidateAudience = true,
            RequireAudience = true,
            ValidAudiences = _settings.Audiences,
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = _settings.ClockSkew,
            LifetimeValidator = ValidateLifetime,
            ValidateWithLKG = false,
            NameClaimTypeRetriever = presentation.NameClaimTypeRetriever,
            RoleClaimTypeRetriever = presentation.RoleClaimTypeRetriever,
            SaveSigninToken = presentation.SaveSigninToken,
        };

        // Their setters refuse empty values; the defaults stand then.
        if (!string.IsNullOrWhiteSpace(presentation.AuthenticationType))
        {
            parameters.AuthenticationType = presentation.AuthenticationType;
        }

        if (!string.IsNullOrWhiteSpace(presentation.NameClaimType))
        {
            parameters.NameClaimType = presentation.NameClaimType;
        }

        if (!string.IsNullOrWhiteSpace(presentation.RoleClaimType))
        {
            parameters.RoleClaimType = presentation.RoleClaimType;
        }

        return parameters;
    }

    /// <summary><c>exp</c> required, <c>nbf</c> honoured, both with the configured skew, on the application's clock.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException(TesseraApiErrors.NoExpiry);
        }

        var now = _time.GetUtcNow().UtcDateTime;
        if (notBefore is { } start && start > now + _settings.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException(TesseraApiErrors.Format(TesseraApiErrors.NotYetValid, start)) { NotBefore = start };
        }

        if (expires.Value < now - _settings.ClockSkew)
        {
            throw new SecurityTokenExpiredException(TesseraApiErrors.Format(TesseraApiErrors.Expired, expires.Value)) { Expires = expires.Value };
        }

        if (notBefore is { } from && from > expires.Value)
        {
            throw new SecurityTokenInvalidLifetimeException(TesseraApiErrors.Format(TesseraApiErrors.NotYetValid, from)) { NotBefore = from, Expires = expires };
        }

        return true;
    }

    private TokenValidationResult Refuse(Exception exception)
    {
        _metrics.Refused(_settings.Scheme);
        Log.TokenRefused(_logger, _settings.Scheme, exception.Message);
        return Failed(exception);
    }

    private static TokenValidationResult Failed(Exception exception) => new() { IsValid = false, Exception = exception };

    private static string? Claim(JsonWebToken jwt, string name)
        => jwt.TryGetPayloadValue<string>(name, out var value) ? value : null;

    /// <summary>Attacker-chosen header values go into messages and logs only when short and plain.</summary>
    public static string Printable(string? value)
        => value is { Length: > 0 and <= 32 } && value.All(c => c is >= '!' and <= '~') ? value : "(unprintable)";
}
