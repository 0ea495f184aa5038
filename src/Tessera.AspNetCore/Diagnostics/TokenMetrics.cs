using System.Diagnostics.Metrics;

namespace Tessera.AspNetCore.Diagnostics;

/// <summary>
/// Meter <c>Tessera.AspNetCore</c>, counter <c>tessera.api.token.validations</c>, tagged <c>tessera.outcome</c>:
/// <c>cached</c> (served from the validated-token cache), <c>validated</c> (verified in full and accepted) or
/// <c>refused</c>, or <c>revoked</c> (valid, but issued before its subject's access was revoked: Continuous Access
/// Evaluation); and <c>tessera.scheme</c>.
/// </summary>
internal sealed class TokenMetrics
{
    public const string MeterName = "Tessera.AspNetCore";
    public const string ValidationsName = "tessera.api.token.validations";

    private readonly Counter<long> _validations;

    public TokenMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _validations = meter.CreateCounter<long>(ValidationsName, unit: "{token}", description: "Bearer tokens presented to the API, by outcome.");
    }

    public void Cached(string scheme) => Record(scheme, "cached");

    public void Validated(string scheme) => Record(scheme, "validated");

    public void Refused(string scheme) => Record(scheme, "refused");

    public void Revoked(string scheme) => Record(scheme, "revoked");

    private void Record(string scheme, string outcome)
        => _validations.Add(1, new KeyValuePair<string, object?>("tessera.outcome", outcome), new KeyValuePair<string, object?>("tessera.scheme", scheme));
}
