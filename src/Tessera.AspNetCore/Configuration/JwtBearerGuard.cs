using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Diagnostics;
using Tessera.AspNetCore.Validation;

namespace Tessera.AspNetCore.Configuration;

/// <summary>
/// Checked after every post-configuration: nothing has put back a way around Tessera's validation (TSR0809).
/// </summary>
internal sealed class JwtBearerGuard(string scheme) : IValidateOptions<JwtBearerOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.Equals(name, scheme, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = new List<string>();
        // No handler at all refuses every token: that is how a scheme with invalid TesseraApiOptions stays closed.
        if (options.TokenHandlers.Any(h => h is not TesseraTokenHandler) || options.TokenHandlers.Count > 1)
        {
            problems.Add("TokenHandlers holds other handlers");
        }

        if (options.UseSecurityTokenValidators)
        {
            problems.Add("UseSecurityTokenValidators is on");
        }

        if (!string.IsNullOrEmpty(options.Authority) || !string.IsNullOrEmpty(options.MetadataAddress) ||
            options.Configuration is not null || options.ConfigurationManager is not null)
        {
            problems.Add("Authority, MetadataAddress, Configuration or ConfigurationManager is set");
        }

        if (options.Events is not TesseraJwtBearerEvents || options.EventsType is not null)
        {
            problems.Add("Events were replaced after Tessera wrapped them");
        }

        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(TesseraApiErrors.Format(TesseraApiErrors.JwtBearerLoosened, scheme, string.Join("; ", problems)));
    }
}
