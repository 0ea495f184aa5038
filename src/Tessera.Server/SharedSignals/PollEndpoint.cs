using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.SharedSignals;
using Tessera.Directory.Storage;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Admin;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// Poll delivery (RFC 8936) at <c>/{tenant}/ssf/poll/{stream_id}</c>: acknowledgements and errors first (their SETs are
/// removed), then up to <c>maxEvents</c> SETs still unacknowledged, oldest first: a SET comes back at every poll until it
/// is acknowledged. With <c>returnImmediately: false</c> and nothing to give, the request waits up to
/// <see cref="LongPollLimit"/> for a SET of the stream: at once when this node queued it, within
/// <see cref="OtherNodesInterval"/> when another node did.
/// </summary>
public static partial class PollEndpoint
{
    public static readonly TimeSpan LongPollLimit = TimeSpan.FromSeconds(25);
    public static readonly TimeSpan OtherNodesInterval = TimeSpan.FromMilliseconds(250);
    private const int DefaultMaxEvents = 100;
    private const int LargestMaxEvents = 1000;
    private const int LargestAcknowledgement = 1000;

    public static RouteGroupBuilder MapPoll(this RouteGroupBuilder ssf)
    {
        ArgumentNullException.ThrowIfNull(ssf);
        ssf.MapPost(StreamsApi.PollPath + "/{streamId}", PollAsync);
        return ssf;
    }

    private static async Task<IResult> PollAsync(
        string streamId, HttpContext http, TesseraDbContext db, OutboxSignal signal, TimeProvider time, ILoggerFactory loggers)
    {
        var stream = await StreamsApi.FindAsync(db.SignalStreams, http.Receiver(), streamId, http.RequestAborted);
        if (stream is null)
        {
            return StreamsApi.NotFound(streamId);
        }

        if (stream.DeliveryMethod != SignalDeliveryMethods.Poll)
        {
            return SignalResults.BadRequest(SharedSignalsErrors.PollEndpointNotPush.With(streamId));
        }

        var body = await ApiBodies.ReadObjectAsync(http, allowEmpty: true);
        if (body.Error is not null)
        {
            return SignalResults.BadRequest(body.Error);
        }

        if (Read(body.Json!) is not { } request)
        {
            return SignalResults.BadRequest(SharedSignalsErrors.BodyInvalid.With(
                $"'ack' is an array of at most {LargestAcknowledgement} jti strings, 'setErrs' an object of jti to {{\"err\",\"description\"}}, 'maxEvents' a number from 0 to {LargestMaxEvents}, 'returnImmediately' true or false."));
        }

        var cancellationToken = http.RequestAborted;
        var done = request.Acknowledged.Concat(request.Errors.Keys).ToList();
        if (done.Count > 0)
        {
            await db.QueuedSecurityEvents.Where(q => q.StreamId == stream.Id && done.Contains(q.Id)).ExecuteDeleteAsync(cancellationToken);
        }

        foreach (var (jti, error) in request.Errors)
        {
            LogReceiverError(loggers.CreateLogger(typeof(PollEndpoint)), stream.Id, jti, error);
        }

        stream.LastActivityDateTime = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        var deadline = time.GetUtcNow() + (request.ReturnImmediately ? TimeSpan.Zero : LongPollLimit);
        while (true)
        {
            var due = await db.QueuedSecurityEvents.AsNoTracking()
                .Where(q => q.StreamId == stream.Id)
                .OrderBy(q => q.CreatedDateTime).ThenBy(q => q.Id)
                .Take(request.MaxEvents + 1)
                .Select(q => new { q.Id, q.Token })
                .ToListAsync(cancellationToken);
            if (due.Count > 0 || request.MaxEvents == 0 || time.GetUtcNow() >= deadline)
            {
                var sets = new JsonObject();
                foreach (var set in due.Take(request.MaxEvents))
                {
                    sets[set.Id.ToString("D")] = set.Token;
                }

                return Results.Json(new JsonObject { ["sets"] = sets, ["moreAvailable"] = due.Count > request.MaxEvents });
            }

            var left = deadline - time.GetUtcNow();
            await signal.WaitAsync(left < OtherNodesInterval ? left : OtherNodesInterval, cancellationToken);
        }
    }

    private sealed record PollRequest(List<Guid> Acknowledged, Dictionary<Guid, string> Errors, int MaxEvents, bool ReturnImmediately);

    private static PollRequest? Read(JsonObject json)
    {
        var acknowledged = new List<Guid>();
        if (json["ack"] is { } ack)
        {
            if (ack is not JsonArray ids || ids.Count > LargestAcknowledgement)
            {
                return null;
            }

            foreach (var id in ids)
            {
                if (id?.GetValueKind() != JsonValueKind.String)
                {
                    return null;
                }

                // A jti that names nothing of this stream is acknowledged already.
                if (Guid.TryParse(id.GetValue<string>(), out var jti))
                {
                    acknowledged.Add(jti);
                }
            }
        }

        var errors = new Dictionary<Guid, string>();
        if (json["setErrs"] is { } setErrs)
        {
            if (setErrs is not JsonObject byJti || byJti.Count > LargestAcknowledgement)
            {
                return null;
            }

            foreach (var (jti, error) in byJti)
            {
                if (error is not JsonObject || !Guid.TryParse(jti, out var id))
                {
                    return null;
                }

                errors[id] = $"{ApiBodies.Text(error["err"])}: {ApiBodies.Text(error["description"])}";
            }
        }

        var maxEvents = DefaultMaxEvents;
        if (json["maxEvents"] is { } max)
        {
            if (max.GetValueKind() != JsonValueKind.Number || !max.AsValue().TryGetValue(out int value) || value is < 0 or > LargestMaxEvents)
            {
                return null;
            }

            maxEvents = value;
        }

        var returnImmediately = false;
        if (json["returnImmediately"] is { } immediately)
        {
            if (immediately.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return null;
            }

            returnImmediately = immediately.GetValue<bool>();
        }

        return new PollRequest(acknowledged, errors, maxEvents, returnImmediately);
    }

    [LoggerMessage(EventId = 8060, Level = LogLevel.Warning, Message = "TSR8060: The receiver of stream {StreamId} could not process SET {Jti} ({Error}); the SET is dropped.")]
    private static partial void LogReceiverError(ILogger logger, Guid streamId, Guid jti, string error);
}
