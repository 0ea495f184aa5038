using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Policy.Workloads;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Tessera.Server.Federation;

/// <summary>
/// A workload with no secret: a <c>client_assertion</c> issued by an external OpenID Connect issuer (a CI system, a
/// Kubernetes service-account issuer, another Tessera tenant) that one of the application's federated identity
/// credentials trusts. An assertion whose issuer is the client itself is left to OpenIddict (<c>private_key_jwt</c>).
/// </summary>
/// <remarks>
/// Steps, each with its own refusal: the issuer must be one a credential of this application names (before anything is
/// fetched); the token must be signed with an asymmetric algorithm by a key in the issuer's published set (read again
/// once for an unknown key); exp, nbf and iat hold with <see cref="ClockSkew"/>; the subject matches exactly and an
/// audience is among the credential's; the jti has not been seen. On success OpenIddict sees the client authenticated
/// by assertion, exactly as with a certificate.
/// </remarks>
public sealed class AcceptFederatedClientAssertions(
    TesseraDbContext db, ExternalIssuerKeys issuers, IMemoryCache seen, TimeProvider time) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>Asymmetric signatures only: never <c>none</c>, never a key shared with the issuer.</summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    // ID tokens and most workload tokens are typed JWT or untyped; another Tessera tenant's access tokens are at+jwt.
    private static readonly HashSet<string> AcceptedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "JWT", "application/jwt", "at+jwt", "application/at+jwt", "client-authentication+jwt", "application/client-authentication+jwt",
    };

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<AcceptFederatedClientAssertions>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientAssertion.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType != OpenIddictServerEndpointType.Token || string.IsNullOrEmpty(context.ClientAssertion) ||
            context.ClientAssertionType != ClientAssertionTypes.JwtBearer || !context.ValidateClientAssertion)
        {
            return;
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(context.ClientAssertion);
        }
        catch (Exception exception) when (exception is ArgumentException or SecurityTokenException)
        {
            return; // Not a JWT at all: OpenIddict refuses it as it refuses any unreadable assertion.
        }

        var issuer = Claim(token, Claims.Issuer);
        var subject = Claim(token, Claims.Subject);
        if (issuer is null || issuer == context.ClientId || (string.IsNullOrEmpty(context.ClientId) && issuer == subject))
        {
            return; // The client's own assertion (private_key_jwt): OpenIddict validates it against the client's certificates.
        }

        var (credential, error) = await ValidateAsync(context.ClientId, token, issuer, subject, context.CancellationToken);
        if (error is not null)
        {
            context.Reject(error.OAuthError, error.Description);
            return;
        }

        // OpenIddict now sees what a certificate assertion gives it: a principal naming the client as issuer and subject.
        context.ValidateClientAssertion = false;
        context.ClientAssertionPrincipal = Principal(context.ClientId!, token, credential!);
        context.Transaction.Properties[FederatedCredentialProperty] = credential!.Name;
    }

    private async Task<(TrustedIssuerSubject? Credential, TesseraError? Error)> ValidateAsync(
        string? clientId, JsonWebToken token, string issuer, string? subject, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId) || !Guid.TryParse(clientId, out var appId))
        {
            return (null, WorkloadErrors.FederatedClientIdRequired);
        }

        // All of them (at most 20): the exact comparison is the policy's, not a database collation's.
        var credentials = await db.FederatedIdentityCredentials.AsNoTracking()
            .Where(c => db.Applications.Any(a => a.AppId == appId && a.Id == c.ApplicationId))
            .Select(c => new TrustedIssuerSubject(c.Name, c.Issuer, c.Subject, c.Audiences))
            .ToListAsync(cancellationToken);
        var ofIssuer = FederatedAssertionMatching.ForIssuer(credentials, issuer);
        if (ofIssuer.Count == 0)
        {
            return (null, WorkloadErrors.FederatedIssuerUnknown.With(issuer));
        }

        if (!string.IsNullOrEmpty(token.Typ) && !AcceptedTypes.Contains(token.Typ))
        {
            return (null, WorkloadErrors.FederatedAssertionTypeUnsupported.With(token.Typ));
        }

        if (!Algorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return (null, WorkloadErrors.FederatedAssertionUnsigned);
        }

        var jwtId = Claim(token, Claims.JwtId);
        if (subject is null || jwtId is null || token.Audiences.All(string.IsNullOrEmpty) || !token.TryGetPayloadValue<long>(Claims.ExpiresAt, out _))
        {
            return (null, WorkloadErrors.FederatedAssertionMalformed);
        }

        var signatureError = await VerifySignatureAsync(token, issuer, cancellationToken);
        if (signatureError is not null)
        {
            return (null, signatureError);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var expires = token.ValidTo;
        if (expires + ClockSkew <= now ||
            (token.TryGetPayloadValue<long>(Claims.NotBefore, out _) && token.ValidFrom > now + ClockSkew) ||
            (token.TryGetPayloadValue<long>(Claims.IssuedAt, out _) && token.IssuedAt > now + ClockSkew))
        {
            return (null, WorkloadErrors.FederatedAssertionExpired.With(ClockSkew.TotalSeconds));
        }

        var (credential, mismatch) = FederatedAssertionMatching.Match(ofIssuer, issuer, subject, [.. token.Audiences]);
        if (mismatch is not null)
        {
            return (null, mismatch);
        }

        // Checked last, so that only a token that passed every other check is remembered.
        var key = $"assertion:{issuer}:{jwtId}";
        if (seen.TryGetValue(key, out _))
        {
            return (null, WorkloadErrors.FederatedAssertionReplayed);
        }

        seen.Set(key, true, new MemoryCacheEntryOptions { AbsoluteExpiration = new DateTimeOffset(expires, TimeSpan.Zero) + ClockSkew, Size = 1 });
        return (credential, null);
    }

    private async Task<TesseraError?> VerifySignatureAsync(JsonWebToken token, string issuer, CancellationToken cancellationToken)
    {
        var unknownKey = false;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            ExternalIssuerKeySet keys;
            try
            {
                keys = await issuers.GetAsync(issuer, unknownKey, cancellationToken);
            }
            catch (ExternalIssuerException exception)
            {
                return WorkloadErrors.FederatedIssuerUnreachable.With(issuer, exception.Message);
            }

            var candidates = string.IsNullOrEmpty(token.Kid)
                ? keys.Keys
                : [.. keys.Keys.Where(k => string.Equals(k.KeyId, token.Kid, StringComparison.Ordinal))];
            if (candidates.Count == 0)
            {
                unknownKey = true;
                continue;
            }

            var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
            {
                IssuerSigningKeys = candidates,
                TryAllIssuerSigningKeys = string.IsNullOrEmpty(token.Kid),
                ValidAlgorithms = Algorithms,
                RequireSignedTokens = true,
                ValidIssuer = issuer,
                ValidateAudience = false, // matched against the credential afterwards, with its own refusal
                ValidateLifetime = false, // checked afterwards with the server's clock, with its own refusal
                TypeValidator = static (type, _, _) => type ?? string.Empty,
            });
            return result.IsValid ? null : WorkloadErrors.FederatedSignatureInvalid.With(issuer);
        }

        return WorkloadErrors.FederatedKeyUnknown.With(issuer);
    }

    private static ClaimsPrincipal Principal(string clientId, JsonWebToken token, TrustedIssuerSubject credential)
        => new ClaimsPrincipal(new ClaimsIdentity("federated", Claims.Subject, null))
            .SetClaim(Claims.Issuer, clientId)
            .SetClaim(Claims.Subject, clientId)
            .SetAudiences(credential.Audiences[0])
            .SetExpirationDate(new DateTimeOffset(token.ValidTo, TimeSpan.Zero))
            .SetTokenType(TokenTypeIdentifiers.Private.ClientAssertion);

    /// <summary>On the OpenIddict transaction: the name of the federated identity credential the token matched.</summary>
    public const string FederatedCredentialProperty = ".tessera.federated_credential";

    /// <summary>The federated identity credential that authenticated the client of this request, if one did.</summary>
    public static string? MatchedCredential(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Features.Get<OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreFeature>()?.Transaction?.Properties
            .TryGetValue(FederatedCredentialProperty, out var name) == true ? name as string : null;
    }

    private static string? Claim(JsonWebToken token, string name)
        => token.TryGetPayloadValue<string>(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}
