using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.Diagnostics;
using Tessera.AspNetCore.Validation;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>
/// The receiver of one scheme with <see cref="TesseraContinuousAccessOptions.Enabled"/>: at start it loads what it kept
/// (revocations, stream, push header), then in the background finds the tenant's transmitter, reuses its stream or
/// makes one, and polls it (long poll, acknowledging what it applied) or waits for pushes
/// (<see cref="ReceiveAsync"/>). Each SET is checked, applied to <see cref="RevocationState"/> and kept before it is
/// acknowledged, so a restart loses nothing: unacknowledged SETs come again.
/// </summary>
internal sealed class SharedSignalsReceiver(
    string scheme,
    IOptionsMonitor<JwtBearerOptions> jwtBearer,
    TesseraSchemes schemes,
    RevocationState revocations,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PushStreamCheckInterval = TimeSpan.FromMinutes(5);
    private readonly ILogger _logger = loggers.CreateLogger("Tessera.AspNetCore.ContinuousAccess");
    private Parts? _parts;
    private byte[]? _pushAuthorization;

    public string Scheme => scheme;

    /// <summary>The <c>Authorization</c> header the transmitter must send with pushes (null unless push).</summary>
    internal string? PushAuthorization => _pushAuthorization is { } header ? Encoding.UTF8.GetString(header) : null;

    /// <summary>The push path this receiver serves, when it is enabled for push.</summary>
    public string? PushPath => Ready()?.Receiver is { Delivery: TesseraEventDelivery.Push, PushEndpoint: { } endpoint } ? endpoint.AbsolutePath : null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var parts = Ready();
        if (parts is null)
        {
            return Task.CompletedTask;
        }

        foreach (var (subject, at) in parts.Store.LoadRevocations())
        {
            revocations.Revoke(subject, at);
        }

        parts.Store.CompactRevocations(revocations.Entries().Where(e => e.Subject.TenantId == parts.Receiver.TenantId));
        if (parts.Receiver.Delivery == TesseraEventDelivery.Push)
        {
            var kept = parts.Store.LoadStream();
            _pushAuthorization = Encoding.UTF8.GetBytes(kept is { DeliveryMethod: TransmitterClient.PushMethod, AuthorizationHeader: { } header }
                ? header
                : "Bearer " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parts = Ready();
        if (parts is null)
        {
            return;
        }

        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var stream = await EnsureStreamAsync(parts, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(1);
                if (parts.Receiver.Delivery == TesseraEventDelivery.Poll)
                {
                    await PollAsync(parts, stream, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    // Pushes arrive by themselves; now and then check that the transmitter still has the stream (it
                    // deletes streams inactive too long) and make a new one if not.
                    await Task.Delay(PushStreamCheckInterval, time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Whatever went wrong, the API keeps serving (an exception out of a BackgroundService stops the host)
                // and the revocations it holds stay in force; the receiver starts over after a pause.
                Log.ReceiverFailed(_logger, exception, scheme, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = backoff * 2 > MaximumBackoff ? MaximumBackoff : backoff * 2;
            }
        }
    }

    /// <summary>
    /// A SET pushed to this receiver (RFC 8935): 202 when applied (or an event without effect), else 400 with
    /// <c>err</c> and <c>description</c>; 503 while the receiver is not running.
    /// </summary>
    public async Task<(int Status, SetRejection? Rejection)> ReceiveAsync(string? authorization, string? contentType, string body, CancellationToken cancellationToken)
    {
        var parts = Ready();
        var expected = _pushAuthorization;
        if (parts is null || expected is null)
        {
            return (503, null);
        }

        if (authorization is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), expected))
        {
            var rejection = new SetRejection(SetRejection.AuthenticationFailed, TesseraApiErrors.SetAuthorization);
            Log.SetRejected(_logger, scheme, rejection.Err, rejection.Description);
            return (400, rejection);
        }

        if (!IsSecEventJwt(contentType))
        {
            var rejection = new SetRejection(SetRejection.InvalidRequest, TesseraApiErrors.SetContentType);
            Log.SetRejected(_logger, scheme, rejection.Err, rejection.Description);
            return (400, rejection);
        }

        var refused = await ProcessAsync(parts, body, cancellationToken).ConfigureAwait(false);
        return refused is null ? (202, null) : (400, refused);
    }

    /// <summary>Checks and applies one SET; the rejection (logged) when it is refused.</summary>
    private async Task<SetRejection?> ProcessAsync(Parts parts, string set, CancellationToken cancellationToken)
    {
        var (received, rejection) = await parts.Validator.ValidateAsync(set, cancellationToken).ConfigureAwait(false);
        if (received is null)
        {
            Log.SetRejected(_logger, scheme, rejection!.Err, rejection.Description);
            return rejection;
        }

        if (received.Subject is not { } subject)
        {
            Log.SetWithoutEffect(_logger, scheme, received.Type, received.Jti);
            return null;
        }

        if (revocations.Revoke(subject, received.Timestamp))
        {
            parts.Store.AppendRevocation(subject, received.Timestamp);
        }

        Log.SetApplied(_logger, scheme, received.Type, subject.ObjectId, received.Timestamp, received.Jti);
        return null;
    }

    private async Task PollAsync(Parts parts, Uri endpoint, CancellationToken stoppingToken)
    {
        var ack = new List<string>();
        var errors = new Dictionary<string, SetRejection>(StringComparer.Ordinal);
        var more = false;
        try
        {
            while (true)
            {
                var polled = await parts.Client.PollAsync(endpoint, ack, errors, more, stoppingToken).ConfigureAwait(false)
                    ?? throw new TransmitterException("The transmitter no longer knows the stream; a new one is made.");
                ack.Clear();
                errors.Clear();
                foreach (var (jti, set) in polled.Sets)
                {
                    if (await ProcessAsync(parts, set, stoppingToken).ConfigureAwait(false) is { } rejection)
                    {
                        errors[jti] = rejection;
                    }
                    else
                    {
                        ack.Add(jti);
                    }
                }

                more = polled.MoreAvailable;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested && (ack.Count > 0 || errors.Count > 0))
        {
            // Stopping: acknowledge what was applied, so that it does not come again after a restart.
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await parts.Client.PollAsync(endpoint, ack, errors, returnImmediately: true, quick.Token).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The stream to use: the one kept if the transmitter still has it as configured, else a new one (kept).</summary>
    private async Task<Uri> EnsureStreamAsync(Parts parts, CancellationToken cancellationToken)
    {
        var transmitter = await parts.Client.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        var push = parts.Receiver.Delivery == TesseraEventDelivery.Push;
        var method = push ? TransmitterClient.PushMethod : TransmitterClient.PollMethod;
        if (!transmitter.DeliveryMethods.Contains(method, StringComparer.Ordinal))
        {
            throw new TransmitterException($"The transmitter does not offer delivery by {method}.");
        }

        var kept = parts.Store.LoadStream();
        if (kept is not null)
        {
            var existing = await parts.Client.GetStreamAsync(transmitter.ConfigurationEndpoint, kept.StreamId, cancellationToken).ConfigureAwait(false);
            var delivery = existing?["delivery"];
            var sameMethod = delivery?["method"]?.GetValue<string>() == method && kept.DeliveryMethod == method;
            var sameEndpoint = !push || delivery?["endpoint_url"]?.GetValue<string>() == parts.Receiver.PushEndpoint!.AbsoluteUri;
            if (existing is not null && sameMethod && sameEndpoint && delivery?["endpoint_url"]?.GetValue<string>() is { } url)
            {
                Log.StreamReused(_logger, scheme, kept.StreamId);
                return new Uri(url);
            }

            if (existing is not null)
            {
                await parts.Client.DeleteStreamAsync(transmitter.ConfigurationEndpoint, kept.StreamId, cancellationToken).ConfigureAwait(false);
            }
        }

        var requested = new JsonObject { ["method"] = method };
        string? header = null;
        if (push)
        {
            header = PushAuthorization;
            requested["endpoint_url"] = parts.Receiver.PushEndpoint!.AbsoluteUri;
            requested["authorization_header"] = header;
        }

        var description = $"Tessera.AspNetCore scheme {scheme} on {Environment.MachineName}";
        var created = await parts.Client.CreateStreamAsync(transmitter.ConfigurationEndpoint, requested, description, cancellationToken).ConfigureAwait(false);
        var streamId = created["stream_id"]?.GetValue<string>() ?? throw new TransmitterException("The new stream has no stream_id.");
        var endpoint = created["delivery"]?["endpoint_url"]?.GetValue<string>() ?? throw new TransmitterException("The new stream has no delivery endpoint_url.");
        parts.Store.SaveStream(new StreamRecord(streamId, method, endpoint, header));
        Log.StreamCreated(_logger, scheme, streamId, method, parts.Store.Persistent);
        return new Uri(endpoint);
    }

    private static bool IsSecEventJwt(string? contentType)
        => contentType is not null &&
           contentType.Split(';')[0].Trim().Equals("application/secevent+jwt", StringComparison.OrdinalIgnoreCase);

    /// <summary>What the receiver works with, built once on first use; null when the scheme does not receive events (or is misconfigured: start-up says why).</summary>
    private Parts? Ready()
    {
        if (_parts is not null)
        {
            return _parts;
        }

        var options = jwtBearer.Get(scheme);
        if (!schemes.TryGetHandler(scheme, options, out var handler) || handler.Settings.ContinuousAccess is not { } receiver)
        {
            return null;
        }

        var parts = new Parts(
            receiver,
            new SecurityEventValidator(handler.Settings, receiver, handler.Metadata, time),
            new TransmitterClient(handler.Settings, receiver, handler.Metadata, handler.Metadata.Backchannel, time),
            new ReceiverStore(receiver.StateDirectory));
        return Interlocked.CompareExchange(ref _parts, parts, null) ?? parts;
    }

    private sealed record Parts(ContinuousAccessSettings Receiver, SecurityEventValidator Validator, TransmitterClient Client, ReceiverStore Store);
}
