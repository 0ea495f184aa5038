using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.Configuration;

/// <summary>
/// The scheme's events: the application's own (an instance, delegates set on it, or an <c>EventsType</c> resolved per
/// request), each called in turn, followed by Tessera's rule that a token comes only from <c>Authorization: Bearer</c>.
/// </summary>
internal sealed class TesseraJwtBearerEvents(JwtBearerEvents? applicationEvents, Type? applicationEventsType, string scheme, ILogger logger) : JwtBearerEvents
{
    private static readonly JwtBearerEvents None = new();

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Application(context.HttpContext).MessageReceived(context).ConfigureAwait(false);
        if (context.Result is null && !string.IsNullOrEmpty(context.Token))
        {
            // A token from the query string, a form field or a cookie would leak into logs and Referer headers;
            // JwtBearer reads the Authorization header when no token was supplied.
            if (!string.Equals(context.Token, BearerToken(context.Request), StringComparison.Ordinal))
            {
                Log.TokenFromElsewhereIgnored(logger, scheme);
            }

            context.Token = null;
        }
    }

    public override Task TokenValidated(TokenValidatedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Application(context.HttpContext).TokenValidated(context);
    }

    public override Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Application(context.HttpContext).AuthenticationFailed(context);
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Application(context.HttpContext).Challenge(context);
    }

    public override Task Forbidden(ForbiddenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Application(context.HttpContext).Forbidden(context);
    }

    private JwtBearerEvents Application(HttpContext http)
        => applicationEventsType is not null
            ? (JwtBearerEvents)http.RequestServices.GetRequiredService(applicationEventsType)
            : applicationEvents ?? None;

    private static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
