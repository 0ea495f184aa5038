namespace Tessera.Server.SharedSignals;

/// <summary>The <c>Tessera:SharedSignals</c> section: Continuous Access Evaluation.</summary>
public sealed class SharedSignalsOptions
{
    /// <summary>
    /// The middle of the lifetime of access tokens for clients that handle claims challenges (<c>xms_cc</c> with
    /// <c>cp1</c>): revocation reaches their APIs as an event, so their tokens may live long. Each token gets up to four
    /// hours more or less at random, so that a fleet's tokens do not expire together.
    /// </summary>
    public TimeSpan CaeAccessTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The inactivity timeout of new streams: a poll stream not polled, or a push stream failing, this long is paused; twice this long, deleted.</summary>
    public TimeSpan StreamInactivityTimeout { get; set; } = TimeSpan.FromDays(1);
}
