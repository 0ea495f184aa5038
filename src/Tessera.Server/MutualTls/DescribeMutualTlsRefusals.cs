using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using Tessera.Policy.Workloads;
using Tessera.Server.Clients;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Tessera.Server.MutualTls;

/// <summary>
/// Token endpoint refusals that concern mutual TLS, in Tessera's words: a client certificate that is not one of the
/// application's (OpenIddict's generic ID2197), and a client credentials request without any credential from an
/// application that must show its certificate (OpenIddict's ID2057 asks for a secret or an assertion, which would not
/// help it; the client failed to authenticate, RFC 6749 §5.2's <c>invalid_client</c>), and a bound refresh token
/// presented without its certificate or with another (OpenIddict's ID2203 and ID2204).
/// </summary>
public sealed class DescribeMutualTlsRefusals(ClientDirectory clients) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    private const string RefusedCertificate = "ID2197";
    private const string NoCredential = "ID2057";
    private const string BoundTokenWithoutCertificate = "ID2203";
    private const string BoundTokenOtherCertificate = "ID2204";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<DescribeMutualTlsRefusals>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<ApplyTokenResponseContext>.Descriptor.Order - 400)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        if (response.Error == Errors.InvalidClient && Names(response.ErrorUri, RefusedCertificate))
        {
            Describe(response, WorkloadErrors.CertificateNotRegistered);
        }
        else if (response.Error == Errors.InvalidGrant &&
                 (Names(response.ErrorUri, BoundTokenWithoutCertificate) || Names(response.ErrorUri, BoundTokenOtherCertificate)))
        {
            Describe(response, WorkloadErrors.RefreshTokenBound);
        }
        else if (response.Error == Errors.InvalidRequest && Names(response.ErrorUri, NoCredential) &&
                 context.Request?.ClientId is { Length: > 0 } clientId &&
                 await clients.FindAsync(clientId, context.CancellationToken) is { CertificateBoundTokens: true })
        {
            Describe(response, WorkloadErrors.CertificateRequired);
        }
    }

    private static bool Names(string? errorUri, string id) => errorUri?.EndsWith(id, StringComparison.Ordinal) == true;

    private static void Describe(OpenIddict.Abstractions.OpenIddictResponse response, Tessera.Policy.Errors.TesseraError error)
    {
        response.Error = error.OAuthError;
        response.ErrorDescription = error.Description;
        response.ErrorUri = null;
    }
}
