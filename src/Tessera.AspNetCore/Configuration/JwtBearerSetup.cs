using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Validation;

namespace Tessera.AspNetCore.Configuration;

/// <summary>
/// Runs after every <c>Configure</c> of the scheme's JwtBearer options, whatever their order: Tessera's token handler
/// becomes the only one, and the application's events are wrapped, never replaced.
/// </summary>
internal sealed class JwtBearerSetup(string scheme, TesseraSchemes schemes, ILoggerFactory loggers) : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.Equals(name, scheme, StringComparison.Ordinal))
        {
            return;
        }

        options.UseSecurityTokenValidators = false;
        options.TokenHandlers.Clear();
        if (schemes.TryGetHandler(scheme, options, out var handler))
        {
            options.TokenHandlers.Add(handler);
        }

        if (options.Events is not TesseraJwtBearerEvents)
        {
            options.Events = new TesseraJwtBearerEvents(options.Events, options.EventsType, scheme, loggers.CreateLogger("Tessera.AspNetCore"));
            options.EventsType = null;
        }
    }
}
