using OpenIddict.Server;
using Tessera.Policy.Errors;
using Tessera.Server.Tenancy;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Tessera.Server.Clients;

/// <summary>
/// A client may only be used under the tenant it was registered in (its tokens carry that tenant's issuer), or, when
/// it is multitenant, under any tenant, where consent decides whether it may stay.
/// </summary>
public sealed class EnsureClientInTenant(ClientDirectory clients, IHttpContextAccessor accessor) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<EnsureClientInTenant>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(context.ClientId) || accessor.HttpContext?.GetTenant() is not { } tenant)
        {
            return;
        }

        if (await clients.FindInAsync(context.ClientId, tenant.Id, context.CancellationToken) is null)
        {
            var error = TesseraErrors.ClientNotInTenant;
            context.Reject(error.OAuthError, error.Description);
        }
    }
}
