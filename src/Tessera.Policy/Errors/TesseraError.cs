namespace Tessera.Policy.Errors;

/// <summary>
/// One numbered entry of the error catalogue: a stable code, the OAuth error it travels with,
/// and a sentence a person can act on.
/// </summary>
public sealed record TesseraError(string Code, string OAuthError, string Sentence)
{
    /// <summary>
    /// Entra ID's <c>suberror</c>, sent beside <c>error</c> where a client library acts on it (MSAL reads
    /// <c>consent_required</c> into <c>MsalUiRequiredException.Classification</c>).
    /// </summary>
    public string? SubError { get; init; }

    /// <summary>The description sent to clients: the code first, so that logs and tests can match it.</summary>
    public string Description => $"{Code}: {Sentence}";

    /// <summary>Fills the sentence's placeholders.</summary>
    public TesseraError With(params object[] values)
        => this with { Sentence = string.Format(System.Globalization.CultureInfo.InvariantCulture, Sentence, values) };
}
