using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Server;
using Tessera.Directory.Storage;
using Tessera.Server.Hosting;
using Tessera.Server.Tenancy;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers.Discovery;

namespace Tessera.Server.Protocol.Discovery;

/// <summary>
/// Adds <c>tessera_cli_client_id</c> to a tenant's discovery document: the app id of the tenant's own command-line
/// client (<see cref="FirstRun.FindCliClientAsync"/>), so that <c>tessera login --device --authority {issuer}</c>
/// needs no client id. A tenant without that registration gets no such member. Each tenant's answer is kept a few
/// minutes: discovery is fetched often, and the registration rarely changes.
/// </summary>
public sealed class AdvertiseCliClient(TesseraDbContext db, IMemoryCache cache, IHttpContextAccessor accessor)
    : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public const string MetadataName = "tessera_cli_client_id";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseScopedHandler<AdvertiseCliClient>()
            .SetOrder(AttachAdditionalMetadata.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (accessor.HttpContext?.GetTenant() is not { } tenant)
        {
            return;
        }

        var key = "cli-client:" + tenant.Id.ToString("N");
        if (!cache.TryGetValue(key, out Guid? appId))
        {
            appId = await FirstRun.FindCliClientAsync(db, tenant.Id, context.CancellationToken);
            cache.Set(key, appId, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
        }

        if (appId is { } id)
        {
            context.Metadata[MetadataName] = id.ToString("D");
        }
    }
}
