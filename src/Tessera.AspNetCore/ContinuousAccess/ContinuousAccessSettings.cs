using System.Security.Cryptography.X509Certificates;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>A scheme's <see cref="TesseraContinuousAccessOptions"/>, checked at start-up.</summary>
internal sealed record ContinuousAccessSettings(
    Guid TenantId,
    string ClientId,
    TesseraEventDelivery Delivery,
    Uri? PushEndpoint,
    string? ClientSecret,
    X509Certificate2? ClientCertificate,
    string? StateDirectory)
{
    /// <summary>Null when off; otherwise the settings, or null with the problems added to <paramref name="errors"/> (TSR0810–0819).</summary>
    public static ContinuousAccessSettings? Read(TesseraContinuousAccessOptions options, Guid? tenantId, string? clientId, List<string> errors)
    {
        if (!options.Enabled)
        {
            return null;
        }

        var count = errors.Count;
        if (tenantId is null)
        {
            errors.Add(TesseraApiErrors.ContinuousAccessMultitenant);
        }

        if (!Guid.TryParse(clientId, out var appId) || appId == Guid.Empty)
        {
            errors.Add(TesseraApiErrors.ContinuousAccessClientId);
        }

        if (string.IsNullOrEmpty(options.ClientSecret) == (options.ClientCertificate is null))
        {
            errors.Add(TesseraApiErrors.ContinuousAccessCredential);
        }
        else if (options.ClientCertificate is { HasPrivateKey: false })
        {
            errors.Add(TesseraApiErrors.ContinuousAccessCertificateKey);
        }

        Uri? push = null;
        if (options.Delivery == TesseraEventDelivery.Push)
        {
            if (!Uri.TryCreate(options.PushEndpoint, UriKind.Absolute, out push) ||
                !(push.Scheme == Uri.UriSchemeHttps || (push.Scheme == Uri.UriSchemeHttp && push.IsLoopback)) ||
                push.Query.Length > 0 || push.Fragment.Length > 0 || push.UserInfo.Length > 0)
            {
                errors.Add(TesseraApiErrors.Format(TesseraApiErrors.ContinuousAccessPushEndpoint, options.PushEndpoint));
            }
        }
        else if (options.Delivery != TesseraEventDelivery.Poll)
        {
            errors.Add(TesseraApiErrors.Format(TesseraApiErrors.ContinuousAccessDelivery, options.Delivery));
        }

        return errors.Count > count
            ? null
            : new ContinuousAccessSettings(tenantId!.Value, appId.ToString("D"), options.Delivery, push, options.ClientSecret, options.ClientCertificate,
                string.IsNullOrWhiteSpace(options.StateDirectory) ? null : Path.GetFullPath(options.StateDirectory));
    }
}
