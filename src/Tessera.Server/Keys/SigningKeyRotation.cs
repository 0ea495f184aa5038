using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;

namespace Tessera.Server.Keys;

/// <summary>Re-reads the key ring on every node at a fixed interval, creating the next key when its time comes.</summary>
public sealed partial class SigningKeyRotation(SigningKeyRing ring, IOptions<TesseraOptions> options, TimeProvider time, ILogger<SigningKeyRotation> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SigningKeys.RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ring.RefreshAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Keep serving with the keys already loaded; the next tick tries again.
                LogRefreshFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "TSR6102: Could not refresh the signing key ring; serving with the keys already loaded.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
