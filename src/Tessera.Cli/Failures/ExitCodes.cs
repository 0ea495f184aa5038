namespace Tessera.Cli.Failures;

/// <summary>The exit codes of <c>tessera</c>. Scripts depend on them: a code never changes meaning.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>A check ran and failed (<c>tessera audit verify</c> found a broken chain).</summary>
    public const int CheckFailed = 1;

    /// <summary>The command line or the local configuration is wrong: bad arguments, not signed in, unreadable files.</summary>
    public const int Usage = 2;

    /// <summary>The server understood the request and refused it (HTTP 4xx).</summary>
    public const int Refused = 3;

    /// <summary>The server failed or could not be reached (HTTP 5xx, network, an answer that is not what the API promises).</summary>
    public const int Unavailable = 4;
}
