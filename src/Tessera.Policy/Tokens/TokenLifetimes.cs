namespace Tessera.Policy.Tokens;

/// <summary>
/// Token lifetimes. Access tokens live 60 to 90 minutes, picked at random per token as Entra ID does,
/// so that a fleet of clients does not refresh in lock-step.
/// </summary>
public static class TokenLifetimes
{
    public static readonly TimeSpan AccessTokenMinimum = TimeSpan.FromMinutes(60);
    public static readonly TimeSpan AccessTokenMaximum = TimeSpan.FromMinutes(90);
    public static readonly TimeSpan IdentityToken = TimeSpan.FromMinutes(60);
    public static readonly TimeSpan AuthorizationCode = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan RefreshToken = TimeSpan.FromDays(14);
    public static readonly TimeSpan DeviceCode = TimeSpan.FromMinutes(15);

    /// <summary>The lifetime of one access token, given a uniform number in [0, 1).</summary>
    public static TimeSpan AccessToken(double uniform)
    {
        if (uniform is < 0 or >= 1 || double.IsNaN(uniform))
        {
            throw new ArgumentOutOfRangeException(nameof(uniform), uniform, "Expected a number in [0, 1).");
        }

        var spread = (AccessTokenMaximum - AccessTokenMinimum).TotalSeconds;
        return AccessTokenMinimum + TimeSpan.FromSeconds(Math.Floor(spread * uniform));
    }

    /// <summary>How far a claims-challenge-capable client's access token may live from the configured middle, either way.</summary>
    public static readonly TimeSpan CaeSpread = TimeSpan.FromHours(4);

    /// <summary>The shortest and longest middle lifetime an operator may configure for such tokens.</summary>
    public static readonly TimeSpan CaeMiddleMinimum = TimeSpan.FromHours(6);
    public static readonly TimeSpan CaeMiddleMaximum = TimeSpan.FromHours(24);

    /// <summary>
    /// The lifetime of one access token for a client that handles claims challenges (Continuous Access Evaluation):
    /// revocation reaches the API as an event, so the token may live long, <paramref name="middle"/> plus or minus
    /// <see cref="CaeSpread"/> at random (20 to 28 hours by default), given a uniform number in [0, 1).
    /// </summary>
    public static TimeSpan CaeAccessToken(TimeSpan middle, double uniform)
    {
        if (uniform is < 0 or >= 1 || double.IsNaN(uniform))
        {
            throw new ArgumentOutOfRangeException(nameof(uniform), uniform, "Expected a number in [0, 1).");
        }

        var spread = 2 * CaeSpread.TotalSeconds;
        return middle - CaeSpread + TimeSpan.FromSeconds(Math.Floor(spread * uniform));
    }
}
