using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Tessera.Policy.Errors;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Protection;

namespace Tessera.Server.Clients;

/// <summary>
/// A client assertion proves possession of a key once (OIDC Core §9, RFC 7523 §3): it must name itself (<c>jti</c>),
/// expire within ten minutes, and is refused if seen before. Seen identifiers are kept until the assertion expires.
/// The memory is per node: across several nodes a replay is caught on the node that saw the first use.
/// </summary>
public sealed class RejectReplayedClientAssertions(IMemoryCache seen, TimeProvider time) : IOpenIddictServerHandler<ValidateTokenContext>
{
    private static readonly TimeSpan LongestLifetime = TimeSpan.FromMinutes(10);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<RejectReplayedClientAssertions>()
            .SetOrder(MapInternalClaims.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal is not { } assertion || context.ValidTokenTypes.Count != 1 ||
            !context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            return ValueTask.CompletedTask;
        }

        var id = assertion.GetClaim(Claims.JwtId);
        var expires = assertion.GetExpirationDate();
        var now = time.GetUtcNow();
        if (string.IsNullOrEmpty(id) || expires is null || expires - now > LongestLifetime)
        {
            context.Reject(TesseraErrors.AssertionLifetime.OAuthError, TesseraErrors.AssertionLifetime.Description);
            return ValueTask.CompletedTask;
        }

        var key = $"assertion:{assertion.GetClaim(Claims.Issuer)}:{id}";
        if (seen.TryGetValue(key, out _))
        {
            context.Reject(TesseraErrors.AssertionReplayed.OAuthError, TesseraErrors.AssertionReplayed.Description);
            return ValueTask.CompletedTask;
        }

        seen.Set(key, true, expires.Value);
        return ValueTask.CompletedTask;
    }
}
