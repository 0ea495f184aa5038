using System.Net;
using Microsoft.IdentityModel.Tokens;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>A valid token used from an address outside the networks Conditional Access bound it to.</summary>
internal sealed class TokenOutsideNetworkException : SecurityTokenValidationException
{
    public TokenOutsideNetworkException(IPAddress? address, long authenticatedAt, bool clientCapable)
        : base(TesseraApiErrors.Format(TesseraApiErrors.OutsideNetwork, address?.ToString() ?? "an unknown address"))
    {
        AuthenticatedAt = authenticatedAt;
        ClientCapable = clientCapable;
    }

    public TokenOutsideNetworkException()
    {
    }

    public TokenOutsideNetworkException(string message)
        : base(message)
    {
    }

    public TokenOutsideNetworkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Unix seconds of the sign-in behind the token.</summary>
    public long AuthenticatedAt { get; }

    public bool ClientCapable { get; }

    /// <summary>
    /// The same claims request as after a revocation, with the sign-in's own time: it does not by itself ask for a new
    /// sign-in; the token endpoint evaluates Conditional Access again for the address the client now comes from.
    /// </summary>
    public string ClaimsChallenge() => TokenRevokedException.NotBeforeChallenge(AuthenticatedAt);
}
