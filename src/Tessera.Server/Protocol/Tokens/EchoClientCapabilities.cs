using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using Tessera.Policy.Tokens;
using Tessera.Server.Hosting;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace Tessera.Server.Protocol.Tokens;

/// <summary>
/// Client capabilities, as Entra ID carries them: a client that can handle claims challenges (Continuous Access
/// Evaluation) says so in the token request's <c>claims</c> parameter, <c>{"access_token":{"xms_cc":{"values":["cp1"]}}}</c>
/// (MSAL's <c>WithClientCapabilities</c>, sent with every token request), and the access token carries
/// <c>"xms_cc": ["cp1"]</c> so that the API knows it may answer with a challenge instead of a plain refusal.
/// Only known capabilities are echoed. Other claims requests (an API's challenge handed back with <c>WithClaims</c>)
/// are accepted and not acted upon here; a <c>claims</c> value that is not a JSON object is treated as no request.
/// A client with <c>cp1</c> gets a long-lived access token (<see cref="TokenLifetimes.CaeAccessToken"/>).
/// </summary>
public sealed class EchoClientCapabilities(IOptions<TesseraOptions> options) : IOpenIddictServerHandler<ProcessSignInContext>
{
    /// <summary>The capability of handling claims challenges (CAE), which earns an access token a long life.</summary>
    public const string ClaimsChallengeCapability = "cp1";

    private const string ClaimsParameter = "claims";
    private static readonly HashSet<string> KnownCapabilities = new(StringComparer.Ordinal) { ClaimsChallengeCapability };

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<EchoClientCapabilities>()
            .SetOrder(PrepareAccessTokenPrincipal.Descriptor.Order + 600)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType != OpenIddictServerEndpointType.Token ||
            context.AccessTokenPrincipal?.Identity is not ClaimsIdentity identity ||
            (string?)context.Request.GetParameter(ClaimsParameter) is not { Length: > 0 } claims)
        {
            return ValueTask.CompletedTask;
        }

        var capabilities = Requested(claims);
        if (capabilities.Count > 0)
        {
            identity.AddClaim(new Claim(TesseraClaims.ClientCapabilities, JsonSerializer.Serialize(capabilities), JsonClaimValueTypes.JsonArray));
        }

        // Revocation reaches this client's APIs as an event, and the client answers their challenges: its token may live
        // long. OpenIddict fixed the expiry when it prepared the principal, so it is set again here.
        if (capabilities.Contains(ClaimsChallengeCapability) && context.AccessTokenPrincipal.GetCreationDate() is { } created)
        {
            var lifetime = TokenLifetimes.CaeAccessToken(options.Value.SharedSignals.CaeAccessTokenLifetime, Random.Shared.NextDouble());
            context.AccessTokenPrincipal.SetAccessTokenLifetime(lifetime).SetExpirationDate(created + lifetime);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The known capabilities named in <c>access_token.xms_cc.values</c>, in their order, once each.</summary>
    private static List<string> Requested(string claims)
    {
        try
        {
            using var document = JsonDocument.Parse(claims);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("access_token", out var accessToken) && accessToken.ValueKind == JsonValueKind.Object &&
                accessToken.TryGetProperty(TesseraClaims.ClientCapabilities, out var request) && request.ValueKind == JsonValueKind.Object &&
                request.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array)
            {
                return values.EnumerateArray()
                    .Where(v => v.ValueKind == JsonValueKind.String && KnownCapabilities.Contains(v.GetString()!))
                    .Select(v => v.GetString()!)
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
            }
        }
        catch (JsonException)
        {
        }

        return [];
    }
}
