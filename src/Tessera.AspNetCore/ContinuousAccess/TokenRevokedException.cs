using System.Globalization;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Diagnostics;

using Tessera.AspNetCore.Authorization;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>A valid token issued at or before its subject's access was revoked (Continuous Access Evaluation).</summary>
internal sealed class TokenRevokedException : SecurityTokenValidationException
{
    public TokenRevokedException(long revokedAt, bool clientCapable)
        : base(TesseraApiErrors.Format(TesseraApiErrors.Revoked, DateTimeOffset.FromUnixTimeSeconds(revokedAt).ToString("O", CultureInfo.InvariantCulture)))
    {
        RevokedAt = revokedAt;
        ClientCapable = clientCapable;
    }

    public TokenRevokedException()
    {
    }

    public TokenRevokedException(string message)
        : base(message)
    {
    }

    public TokenRevokedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Unix seconds: tokens issued at or before it are refused.</summary>
    public long RevokedAt { get; }

    /// <summary>Whether the token's client declared <c>cp1</c> and so can take a claims challenge.</summary>
    public bool ClientCapable { get; }

    /// <summary>
    /// The claims request a capable client takes back to the server: a token not before the second after the
    /// revocation, <c>{"access_token":{"nbf":{"essential":true,"value":"t+1"}}}</c>, standard base64 as Entra ID sends it.
    /// </summary>
    public string ClaimsChallenge() => NotBeforeChallenge(RevokedAt + 1);

    /// <summary><c>{"access_token":{"nbf":{"essential":true,"value":"&lt;value&gt;"}}}</c>, encoded for the challenge.</summary>
    public static string NotBeforeChallenge(long value)
        => TesseraAuthorizationResultHandler.ClaimsValue(
            "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + value.ToString(CultureInfo.InvariantCulture) + "\"}}}");
}
