using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.Configuration;

/// <summary>
/// The scheme's events: the application's own (an instance, delegates set on it, or an <c>EventsType</c> resolved per
/// request) and any delegates set on this wrapper afterwards, each called in turn, followed by Tessera's rule that a
/// token comes only from <c>Authorization: Bearer</c>.
/// </summary>
internal sealed class TesseraJwtBearerEvents : JwtBearerEvents
{
    private static readonly JwtBearerEvents None = new();

    private readonly JwtBearerEvents? _applicationEvents;
    private readonly Type? _applicationEventsType;
    private readonly string _scheme;
    private readonly ILogger _logger;
    private readonly bool _applicationObserves;

    public TesseraJwtBearerEvents(JwtBearerEvents? applicationEvents, Type? applicationEventsType, string scheme, ILogger logger)
    {
        _applicationEvents = applicationEvents;
        _applicationEventsType = applicationEventsType;
        _scheme = scheme;
        _logger = logger;
        _applicationObserves = applicationEventsType is not null || (applicationEvents is not null && Observes(applicationEvents));
    }

    /// <summary>
    /// Whether anything of the application's would see an event. When nothing would, the handler skips building the
    /// events' contexts: Tessera's own rule needs none (the handler reads the Authorization header itself).
    /// </summary>
    public bool Observed => _applicationObserves || Observes(this);

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Application(context.HttpContext).MessageReceived(context).ConfigureAwait(false);
        await base.MessageReceived(context).ConfigureAwait(false);
        if (context.Result is null && !string.IsNullOrEmpty(context.Token))
        {
            // A token from the query string, a form field or a cookie would leak into logs and Referer headers.
            if (!string.Equals(context.Token, BearerToken(context.Request), StringComparison.Ordinal))
            {
                Log.TokenFromElsewhereIgnored(_logger, _scheme);
            }

            context.Token = null;
        }
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Application(context.HttpContext).TokenValidated(context).ConfigureAwait(false);
        await base.TokenValidated(context).ConfigureAwait(false);
    }

    public override async Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Application(context.HttpContext).AuthenticationFailed(context).ConfigureAwait(false);
        await base.AuthenticationFailed(context).ConfigureAwait(false);
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Application(context.HttpContext).Challenge(context).ConfigureAwait(false);
        await base.Challenge(context).ConfigureAwait(false);
    }

    public override async Task Forbidden(ForbiddenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Application(context.HttpContext).Forbidden(context).ConfigureAwait(false);
        await base.Forbidden(context).ConfigureAwait(false);
    }

    private JwtBearerEvents Application(HttpContext http)
        => _applicationEventsType is not null
            ? (JwtBearerEvents)http.RequestServices.GetRequiredService(_applicationEventsType)
            : _applicationEvents ?? None;

    // A JwtBearerEvents observes nothing while it is of the base type with the default (shared, do-nothing) delegates.
    private static bool Observes(JwtBearerEvents events)
        => (events.GetType() != typeof(JwtBearerEvents) && events.GetType() != typeof(TesseraJwtBearerEvents)) ||
           events.OnMessageReceived != None.OnMessageReceived ||
           events.OnTokenValidated != None.OnTokenValidated ||
           events.OnAuthenticationFailed != None.OnAuthenticationFailed ||
           events.OnChallenge != None.OnChallenge ||
           events.OnForbidden != None.OnForbidden;

    private static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
