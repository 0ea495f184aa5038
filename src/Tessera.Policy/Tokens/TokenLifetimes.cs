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
}
