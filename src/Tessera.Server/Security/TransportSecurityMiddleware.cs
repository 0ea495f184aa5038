using System.Net;
using Tessera.Policy.Errors;
using Tessera.Server.Failures;

namespace Tessera.Server.Security;

/// <summary>
/// HTTPS everywhere except loopback: a plain-HTTP request is served only when it arrived on a loopback address,
/// where nobody else can read it. There is no setting to turn this off.
/// </summary>
public sealed class TransportSecurityMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.IsHttps || IsLoopback(context.Connection.LocalIpAddress))
        {
            return next(context);
        }

        return ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, TesseraErrors.HttpsRequired);
    }

    private static bool IsLoopback(IPAddress? address)
        => address is not null && (IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4())));
}
