using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Tessera.Policy.SignIns;

namespace Tessera.Server.Security;

/// <summary>
/// Anti-forgery with <c>__Host-</c> (Secure) cookies even on plain-HTTP loopback, where browsers treat the origin as
/// secure and accept Secure cookies. ASP.NET Core's anti-forgery refuses to issue a Secure cookie on a non-HTTPS
/// request; on loopback only, the request is presented as HTTPS for the duration of the anti-forgery call.
/// Everywhere else plain HTTP never reaches this point (see <see cref="TransportSecurityMiddleware"/>).
/// </summary>
public sealed class LoopbackAntiforgery(IAntiforgery inner) : IAntiforgery
{
    public AntiforgeryTokenSet GetAndStoreTokens(HttpContext httpContext) => AsHttps(httpContext, () => inner.GetAndStoreTokens(httpContext));

    public AntiforgeryTokenSet GetTokens(HttpContext httpContext) => AsHttps(httpContext, () => inner.GetTokens(httpContext));

    public Task<bool> IsRequestValidAsync(HttpContext httpContext) => AsHttps(httpContext, () => inner.IsRequestValidAsync(httpContext));

    public Task ValidateRequestAsync(HttpContext httpContext) => AsHttps(httpContext, () => inner.ValidateRequestAsync(httpContext));

    public void SetCookieTokenAndHeader(HttpContext httpContext) => AsHttps(httpContext, () =>
    {
        inner.SetCookieTokenAndHeader(httpContext);
        return true;
    });

    private static T AsHttps<T>(HttpContext context, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.LocalIpAddress;
        if (context.Request.IsHttps || address is null || !IPAddress.IsLoopback(ClientAddress.Normalize(address)!))
        {
            return action();
        }

        context.Request.IsHttps = true;
        try
        {
            return action();
        }
        finally
        {
            context.Request.IsHttps = false;
        }
    }

    /// <summary>Wraps the registered anti-forgery service.</summary>
    public static IServiceCollection Decorate(IServiceCollection services)
    {
        var registration = services.Last(s => s.ServiceType == typeof(IAntiforgery));
        services.Remove(registration);
        services.AddSingleton<IAntiforgery>(provider => new LoopbackAntiforgery(
            (IAntiforgery)ActivatorUtilities.CreateInstance(provider, registration.ImplementationType!)));
        return services;
    }
}
