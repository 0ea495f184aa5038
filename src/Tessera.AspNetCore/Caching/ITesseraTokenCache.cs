namespace Tessera.AspNetCore;

/// <summary>
/// The validated-token cache of every Tessera API scheme of the application. Evicting a token makes the next request
/// that carries it go through full validation again; it does not by itself refuse the token.
/// </summary>
public interface ITesseraTokenCache
{
    /// <summary>Forgets <paramref name="token"/> (the compact JWT, as presented) in every scheme.</summary>
    /// <param name="token">The access token.</param>
    /// <returns>Whether any scheme had it.</returns>
    bool Evict(string token);

    /// <summary>Forgets every token of a subject: a user or an application, by its tenant (<c>tid</c>) and object id (<c>oid</c>).</summary>
    /// <param name="tenantId">The subject's tenant id.</param>
    /// <param name="objectId">The subject's object id.</param>
    /// <returns>How many tokens were forgotten.</returns>
    int EvictSubject(string tenantId, string objectId);
}
