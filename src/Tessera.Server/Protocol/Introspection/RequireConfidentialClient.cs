using OpenIddict.Abstractions;
using OpenIddict.Server;
using Tessera.Policy.Errors;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Introspection;

namespace Tessera.Server.Protocol.Introspection;

/// <summary>
/// Introspection tells whoever asks what a token grants, so only clients that prove who they are may ask;
/// a public client is refused outright rather than answered with <c>active: false</c>.
/// </summary>
public sealed class RequireConfidentialClient(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseScopedHandler<RequireConfidentialClient>()
            .SetOrder(ValidateClientCredentialsParameters.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(context.ClientId, context.CancellationToken);
        if (application is not null && await applications.HasClientTypeAsync(application, OpenIddictConstants.ClientTypes.Public, context.CancellationToken))
        {
            var error = TesseraErrors.IntrospectionNeedsConfidentialClient;
            context.Reject(error.OAuthError, error.Description);
        }
    }
}
