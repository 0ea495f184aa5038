using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using Tessera.Policy.Workloads;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Tessera.Server.MutualTls;

/// <summary>
/// OpenIddict refuses a client certificate that is not one of the application's with a generic sentence (its ID2197);
/// Tessera says what to do about it.
/// </summary>
public sealed class DescribeRefusedCertificates : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    private const string RefusedCertificate = "ID2197";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<DescribeRefusedCertificates>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<ApplyTokenResponseContext>.Descriptor.Order - 400)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.Error == Errors.InvalidClient && context.Response.ErrorUri?.EndsWith(RefusedCertificate, StringComparison.Ordinal) == true)
        {
            context.Response.ErrorDescription = WorkloadErrors.CertificateNotRegistered.Description;
            context.Response.ErrorUri = null;
        }

        return ValueTask.CompletedTask;
    }
}
