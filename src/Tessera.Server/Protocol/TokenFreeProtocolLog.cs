using OpenIddict.Server;

namespace Tessera.Server.Protocol;

/// <summary>
/// OpenIddict's protocol log without its Trace level: there it writes whole tokens, client assertions among them
/// (IDs 6000, 6001 and the tokens it creates), and a bearer credential in a log is a credential for whoever reads
/// the log. Every other level passes as configured. No setting brings Trace back: secrets never reach the log.
/// </summary>
public sealed class TokenFreeProtocolLog(ILoggerFactory factory) : ILogger<OpenIddictServerDispatcher>
{
    private readonly ILogger _inner = factory.CreateLogger<OpenIddictServerDispatcher>();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel > LogLevel.Trace && _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel > LogLevel.Trace)
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
