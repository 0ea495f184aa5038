using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Configuration;

/// <summary>Start-up validation of a scheme's <see cref="TesseraApiOptions"/> (TSR08xx).</summary>
internal sealed class TesseraApiOptionsValidation(string scheme) : IValidateOptions<TesseraApiOptions>
{
    public ValidateOptionsResult Validate(string? name, TesseraApiOptions options)
    {
        if (!string.Equals(name, scheme, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        TesseraApiSettings.Read(scheme, options, out var errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
