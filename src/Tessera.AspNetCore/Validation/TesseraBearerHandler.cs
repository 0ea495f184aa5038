using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;
using Tessera.AspNetCore.Caching;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.ContinuousAccess;

namespace Tessera.AspNetCore.Validation;

/// <summary>
/// The authentication handler of a Tessera API scheme, in JwtBearer's place and with its options and events: the token
/// comes from <c>Authorization: Bearer</c> only, <see cref="TesseraTokenHandler"/> checks it, and the application's
/// <see cref="JwtBearerEvents"/> run around it as they would around JwtBearer's. A token seen before is served from the
/// cache without a string cut out of the header, and, when the application observes no event, without any event context:
/// its cost per request stays close to an unprotected endpoint's (bench/README.md).
/// </summary>
internal sealed class TesseraBearerHandler(IOptionsMonitor<JwtBearerOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<JwtBearerOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>Always Tessera's wrapper of the application's events: <see cref="JwtBearerGuard"/> refuses to start otherwise.</summary>
    private new TesseraJwtBearerEvents Events => (TesseraJwtBearerEvents)base.Events!;

    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new JwtBearerEvents());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var events = Events;
        if (events.Observed)
        {
            // The application's OnMessageReceived may answer for the request; a token it supplies is not taken.
            var received = new MessageReceivedContext(Context, Scheme, Options);
            await events.MessageReceived(received).ConfigureAwait(false);
            if (received.Result is not null)
            {
                return received.Result;
            }
        }

        var validator = Options.TokenHandlers is [TesseraTokenHandler only] ? only : null;
        var (cached, token, revoked) = Lookup(validator);
        if (cached is not null)
        {
            return await RefusalAsync(cached.Facts).ConfigureAwait(false) is { } unbound
                ? await FailAsync(events, unbound).ConfigureAwait(false)
                : await SucceedAsync(events, cached.NewIdentity(), cached.Token, cached.Encoded, cached.IssuedUtc, cached.ExpiresUtc).ConfigureAwait(false);
        }

        if (revoked is not null)
        {
            return await FailAsync(events, revoked).ConfigureAwait(false);
        }

        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (validator is null)
        {
            // The scheme's TesseraApiOptions are invalid (start-up says why): it stays closed.
            return AuthenticateResult.Fail(new SecurityTokenValidationException(Diagnostics.TesseraApiErrors.NotASignedJwt));
        }

        var result = await validator.ValidateTokenAsync(token, Options.TokenValidationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return await FailAsync(events, result.Exception).ConfigureAwait(false);
        }

        var validated = result.SecurityToken;
        if (validated is JsonWebToken jwt && await RefusalAsync(TokenFacts.Of(jwt)).ConfigureAwait(false) is { } refused)
        {
            return await FailAsync(events, refused).ConfigureAwait(false);
        }

        return await SucceedAsync(events, result.ClaimsIdentity, validated, token, CachedToken.Utc(validated.ValidFrom), CachedToken.Utc(validated.ValidTo)).ConfigureAwait(false);
    }

    /// <summary>
    /// The bearer token: from the cache when seen before, else as a string to verify; neither without one. Not async,
    /// so that the token can stay a slice of the header: a cache hit cuts no string out of it.
    /// </summary>
    private (CachedToken? Cached, string? Token, TokenRevokedException? Revoked) Lookup(TesseraTokenHandler? validator)
    {
        var header = Request.Headers.Authorization;
        var presented = header.Count == 1 ? BearerToken(header.ToString()) : default;
        if (presented.IsEmpty)
        {
            return default;
        }

        return validator is not null && validator.TryGetCached(presented, out var cached, out var revoked)
            ? (cached, null, revoked)
            : (null, presented.ToString(), null);
    }

    /// <summary>What refuses a verified token on this request: its client certificate binding (RFC 8705), or its networks.</summary>
    private async ValueTask<Exception?> RefusalAsync(TokenFacts facts)
    {
        if (facts.CertificateThumbprint is { } thumbprint && await CertificateBinding.RefusalAsync(Context, thumbprint).ConfigureAwait(false) is { } unbound)
        {
            return unbound;
        }

        return OutsideNetwork(facts);
    }

    /// <summary>
    /// Strict location enforcement: a token bound to networks, used from an address outside them (the connection's
    /// address, or the client's as ForwardedHeaders set it), is refused.
    /// </summary>
    private TokenOutsideNetworkException? OutsideNetwork(in TokenFacts facts)
    {
        if (facts.Networks is not { } networks)
        {
            return null;
        }

        var address = Context.Connection.RemoteIpAddress;
        if (networks.Allows(address))
        {
            return null;
        }

        var refused = new TokenOutsideNetworkException(address, facts.AuthenticatedAt, facts.ClientCapable);
        Diagnostics.Log.TokenRefused(Logger, Scheme.Name, refused.Message);
        return refused;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var authenticated = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var challenge = new JwtBearerChallengeContext(Context, Scheme, Options, properties) { AuthenticateFailure = authenticated.Failure };
        // A client that declared cp1 gets a claims challenge it takes back to the server, whatever IncludeErrorDetails says:
        // it is how the protocol continues, not a detail.
        var claims = challenge.AuthenticateFailure switch
        {
            TokenRevokedException { ClientCapable: true } revoked => revoked.ClaimsChallenge(),
            TokenOutsideNetworkException { ClientCapable: true } outside => outside.ClaimsChallenge(),
            _ => null,
        };
        if (claims is not null)
        {
            challenge.Error = "insufficient_claims";
            challenge.ErrorDescription = challenge.AuthenticateFailure is TokenOutsideNetworkException
                ? "The token is not valid from this network; get a new token with the claims in this challenge"
                : "The token was issued before access was revoked; get a new token with the claims in this challenge";
        }
        else if (Options.IncludeErrorDetails && challenge.AuthenticateFailure is not null)
        {
            // RFC 6750 section 3.1; the description is one of a few fixed sentences, never text taken from the token.
            challenge.Error = "invalid_token";
            challenge.ErrorDescription = Describe(challenge.AuthenticateFailure);
        }

        await Events.Challenge(challenge).ConfigureAwait(false);
        if (challenge.Handled)
        {
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, ChallengeHeader(Options.Challenge, challenge, claims));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Events.Forbidden(new ForbiddenContext(Context, Scheme, Options));
    }

    private async Task<AuthenticateResult> SucceedAsync(
        TesseraJwtBearerEvents events, ClaimsIdentity identity, SecurityToken token, string encoded, string? issuedUtc, string? expiresUtc)
    {
        var properties = new AuthenticationProperties(new Dictionary<string, string?>(2, StringComparer.Ordinal)
        {
            [".issued"] = issuedUtc,
            [".expires"] = expiresUtc,
        });
        if (Options.SaveToken)
        {
            properties.StoreTokens([new AuthenticationToken { Name = "access_token", Value = encoded }]);
        }

        var principal = new ClaimsPrincipal(identity);
        if (!events.Observed)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(principal, properties, Scheme.Name));
        }

        var validated = new TokenValidatedContext(Context, Scheme, Options) { Principal = principal, SecurityToken = token, Properties = properties };
        await events.TokenValidated(validated).ConfigureAwait(false);
        if (validated.Result is not null)
        {
            return validated.Result;
        }

        validated.Success();
        return validated.Result!;
    }

    private async Task<AuthenticateResult> FailAsync(TesseraJwtBearerEvents events, Exception? exception)
    {
        exception ??= new SecurityTokenValidationException(Diagnostics.TesseraApiErrors.NotASignedJwt);
        if (events.Observed)
        {
            var failed = new AuthenticationFailedContext(Context, Scheme, Options) { Exception = exception };
            await events.AuthenticationFailed(failed).ConfigureAwait(false);
            if (failed.Result is not null)
            {
                return failed.Result;
            }
        }

        return AuthenticateResult.Fail(exception);
    }

    /// <summary>The token of <c>Bearer &lt;token&gt;</c> (scheme name in any case), as a slice of the header.</summary>
    private static ReadOnlySpan<char> BearerToken(string authorization)
        => authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? authorization.AsSpan(BearerPrefix.Length).Trim()
            : default;

    private static string Describe(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => "The token expired",
        SecurityTokenNotYetValidException => "The token is not valid yet",
        SecurityTokenNoExpirationException => "The token has no expiration",
        SecurityTokenInvalidLifetimeException => "The token lifetime is invalid",
        SecurityTokenInvalidAudienceException => "The audience is invalid",
        SecurityTokenInvalidIssuerException => "The issuer is invalid",
        SecurityTokenSignatureKeyNotFoundException => "The signature key was not found",
        SecurityTokenInvalidSignatureException => "The signature is invalid",
        SecurityTokenInvalidAlgorithmException => "The algorithm is not accepted",
        SecurityTokenInvalidTypeException => "The token is not an access token",
        TokenRevokedException => "The token was issued before access was revoked",
        CertificateBindingException => failure.Message,
        TokenOutsideNetworkException => "The token is not valid from this network",
        _ => "The token is not valid",
    };

    /// <summary>RFC 6750's challenge; with <paramref name="claims"/>, Entra ID's claims challenge (<c>realm=""</c> first, as it sends it).</summary>
    private static StringValues ChallengeHeader(string scheme, JwtBearerChallengeContext challenge, string? claims)
    {
        if (string.IsNullOrEmpty(challenge.Error) && string.IsNullOrEmpty(challenge.ErrorDescription) && string.IsNullOrEmpty(challenge.ErrorUri) && claims is null)
        {
            return scheme;
        }

        var header = new StringBuilder(scheme);
        var separator = scheme.Contains(' ', StringComparison.Ordinal) ? ", " : " ";
        if (claims is not null)
        {
            header.Append(separator).Append("realm=\"\"");
            separator = ", ";
        }

        foreach (var (name, value) in (ReadOnlySpan<(string, string?)>)[("error", challenge.Error), ("error_description", challenge.ErrorDescription), ("error_uri", challenge.ErrorUri), ("claims", claims)])
        {
            if (!string.IsNullOrEmpty(value))
            {
                header.Append(separator).Append(name).Append("=\"").Append(value).Append('"');
                separator = ", ";
            }
        }

        return header.ToString();
    }
}
