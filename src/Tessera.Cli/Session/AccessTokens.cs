namespace Tessera.Cli.Session;

/// <summary>
/// The access token of a profile: the cached one while it has more than five minutes left, otherwise a new one,
/// which is written back to the session so the next command reuses it.
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

        var token = await tokens.RequestAsync(_session, cancellationToken).ConfigureAwait(false);
        _session = _session with { Token = token };
        store.Save(_session);
        return token.AccessToken;
    }
}
