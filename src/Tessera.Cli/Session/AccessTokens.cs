using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>
/// The access token of a profile: the cached one while it has more than five minutes left, otherwise a new one,
/// which is written back to the session so the next command reuses it. A person's session gets its new token with
/// the refresh token, which is rotated on every use: renewals of one profile take turns (see
/// <see cref="SessionStore.LockRenewalAsync"/>), and the rotated refresh token is stored before anything else.
/// </summary>
internal sealed class AccessTokens(SessionStore store, CliSession session, TokenClient tokens, TimeProvider time)
{
    private CliSession _session = session;

    public CliSession Session => _session;

    /// <summary>A usable token; <paramref name="renew"/> forces a new one (after the API refused the cached one).</summary>
    public async Task<string> GetAsync(bool renew, CancellationToken cancellationToken)
    {
        if (!renew && _session.Token is { } cached && cached.IsFreshAt(time.GetUtcNow()))
        {
            return cached.AccessToken;
        }

        if (_session.Credential.Kind == SessionCredential.DeviceKind)
        {
            return await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        var token = await tokens.RequestAsync(_session, cancellationToken).ConfigureAwait(false);
        _session = _session with { Token = token };
        store.Save(_session);
        return token.AccessToken;
    }

    private async Task<string> RefreshAsync(CancellationToken cancellationToken)
    {
        using var turn = await store.LockRenewalAsync(time, cancellationToken).ConfigureAwait(false);

        // Another command of this profile may have renewed while this one waited: its token is as good as a new one.
        var latest = store.Load() ?? throw CommandFailure.Usage(CliErrors.NotSignedIn.With(store.Profile));
        if (latest.Token is { } theirs && theirs.IsFreshAt(time.GetUtcNow()) &&
            !string.Equals(theirs.AccessToken, _session.Token?.AccessToken, StringComparison.Ordinal))
        {
            _session = latest;
            return theirs.AccessToken;
        }

        var refreshToken = store.LoadRefreshToken()
                           ?? throw CommandFailure.Usage(CliErrors.SessionExpired.With($"'{store.TokensPath}' holds no refresh token.", latest.Authority));
        var grant = await tokens.RefreshAsync(latest, refreshToken, cancellationToken).ConfigureAwait(false);
        if (grant.RefreshToken is { } rotated)
        {
            store.SaveRefreshToken(rotated);
        }

        _session = latest with { Token = grant.Access };
        store.Save(_session);
        return grant.Access.AccessToken;
    }
}
