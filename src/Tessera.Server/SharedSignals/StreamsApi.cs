using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Directory.SharedSignals;
using Tessera.Directory.Storage;
using Tessera.Policy.Errors;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Admin;
using Tessera.Server.Hosting;
using Tessera.Server.Tenancy;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// Stream management (SSF 1.0 §8.1) under <c>/{tenant}/ssf</c>: configuration (create, read, update, replace, delete),
/// status and verification. A stream belongs to the application that created it; any other caller gets 404.
/// </summary>
public static class StreamsApi
{
    public const string StreamsPath = "/ssf/streams";
    public const string StatusPath = "/ssf/streams/status";
    public const string VerifyPath = "/ssf/verify";
    public const string PollPath = "/ssf/poll";

    /// <summary>The shortest interval between verification requests the receiver should keep to (seconds).</summary>
    private const int MinimumVerificationInterval = 15;

    internal const string ProtectorPurpose = "Tessera.SharedSignals.AuthorizationHeader";

    public static RouteGroupBuilder MapStreams(this RouteGroupBuilder ssf)
    {
        ArgumentNullException.ThrowIfNull(ssf);
        ssf.MapPost(StreamsPath, CreateAsync);
        ssf.MapGet(StreamsPath, ReadAsync);
        ssf.MapPatch(StreamsPath, (HttpContext http, TesseraDbContext db, IDataProtectionProvider protection) => UpdateAsync(http, db, protection, replace: false));
        ssf.MapPut(StreamsPath, (HttpContext http, TesseraDbContext db, IDataProtectionProvider protection) => UpdateAsync(http, db, protection, replace: true));
        ssf.MapDelete(StreamsPath, DeleteAsync);
        ssf.MapGet(StatusPath, ReadStatusAsync);
        ssf.MapPost(StatusPath, UpdateStatusAsync);
        ssf.MapPost(VerifyPath, VerifyAsync);
        return ssf;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, TesseraDbContext db, IDataProtectionProvider protection, TimeProvider time, IOptions<TesseraOptions> options)
    {
        var receiver = http.Receiver();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return SignalResults.BadRequest(body.Error);
        }

        var now = time.GetUtcNow();
        var stream = new StreamConfiguration
        {
            Id = Guid.NewGuid(),
            TenantId = receiver.TenantId,
            AppId = receiver.AppId,
            DeliveryMethod = string.Empty,
            Status = SignalStreamStatuses.Enabled,
            CreatedDateTime = now,
            LastActivityDateTime = now,
            InactivityTimeoutSeconds = (int)options.Value.SharedSignals.StreamInactivityTimeout.TotalSeconds,
        };
        if (Apply(stream, body.Json!, protection, replace: true) is { } invalid)
        {
            return SignalResults.BadRequest(invalid);
        }

        var count = await db.SignalStreams.CountAsync(s => s.TenantId == receiver.TenantId && s.AppId == receiver.AppId, http.RequestAborted);
        if (count >= StreamRules.MaximumStreamsPerApplication)
        {
            return SignalResults.BadRequest(SharedSignalsErrors.TooManyStreams.With(count));
        }

        db.SignalStreams.Add(stream);
        await db.SaveChangesAsync(http.RequestAborted);
        return Results.Json(Describe(http, stream), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ReadAsync(HttpContext http, TesseraDbContext db)
    {
        var receiver = http.Receiver();
        if (http.Request.Query["stream_id"].ToString() is { Length: > 0 } id)
        {
            var stream = await FindAsync(db.SignalStreams.AsNoTracking(), receiver, id, http.RequestAborted);
            return stream is null ? NotFound(id) : Results.Json(Describe(http, stream));
        }

        var streams = await db.SignalStreams.AsNoTracking()
            .Where(s => s.TenantId == receiver.TenantId && s.AppId == receiver.AppId)
            .OrderBy(s => s.CreatedDateTime)
            .ToListAsync(http.RequestAborted);
        return Results.Json(streams.Select(s => Describe(http, s)).ToList());
    }

    private static async Task<IResult> UpdateAsync(HttpContext http, TesseraDbContext db, IDataProtectionProvider protection, bool replace)
    {
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return SignalResults.BadRequest(body.Error);
        }

        var (stream, failure) = await LoadForWriteAsync(http, db, body.Json!);
        if (failure is not null)
        {
            return failure;
        }

        if (Apply(stream!, body.Json!, protection, replace) is { } invalid)
        {
            return SignalResults.BadRequest(invalid);
        }

        stream!.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        await db.SaveChangesAsync(http.RequestAborted);
        return Results.Json(Describe(http, stream));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, TesseraDbContext db)
    {
        var (stream, failure) = await LoadForWriteAsync(http, db, null);
        if (failure is not null)
        {
            return failure;
        }

        // The stream's queued SETs go with it (cascade).
        db.SignalStreams.Remove(stream!);
        await db.SaveChangesAsync(http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> ReadStatusAsync(HttpContext http, TesseraDbContext db)
    {
        var id = http.Request.Query["stream_id"].ToString();
        if (id.Length == 0)
        {
            return SignalResults.BadRequest(SharedSignalsErrors.StreamIdRequired);
        }

        var stream = await FindAsync(db.SignalStreams.AsNoTracking(), http.Receiver(), id, http.RequestAborted);
        return stream is null ? NotFound(id) : Results.Json(Status(stream));
    }

    private static async Task<IResult> UpdateStatusAsync(HttpContext http, TesseraDbContext db, TimeProvider time)
    {
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return SignalResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var status = ApiBodies.OptionalString(json, "status", 16, out var error);
        var reason = error is null ? ApiBodies.OptionalString(json, "reason", 256, out error) : null;
        if (error is not null)
        {
            return SignalResults.BadRequest(error);
        }

        if (status is not (SignalStreamStatuses.Enabled or SignalStreamStatuses.Paused or SignalStreamStatuses.Disabled))
        {
            return SignalResults.BadRequest(SharedSignalsErrors.StatusInvalid.With(status ?? string.Empty));
        }

        var (stream, failure) = await LoadForWriteAsync(http, db, json);
        if (failure is not null)
        {
            return failure;
        }

        stream!.Status = status;
        stream.StatusReason = reason;
        if (status == SignalStreamStatuses.Enabled)
        {
            // Enabling is a sign of life: the inactivity clock starts again.
            stream.LastActivityDateTime = time.GetUtcNow();
        }

        if (status == SignalStreamStatuses.Disabled)
        {
            // A disabled stream carries nothing, and keeps nothing it held (SSF 1.0 §8.1.2).
            db.QueuedSecurityEvents.RemoveRange(await db.QueuedSecurityEvents.Where(q => q.StreamId == stream.Id).ToListAsync(http.RequestAborted));
        }

        stream.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        await db.SaveChangesAsync(http.RequestAborted);
        return Results.Json(Status(stream));
    }

    private static async Task<IResult> VerifyAsync(HttpContext http, TesseraDbContext db, SecurityEventOutbox outbox)
    {
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return SignalResults.BadRequest(body.Error);
        }

        var state = ApiBodies.OptionalString(body.Json!, "state", 1024, out var error);
        if (error is not null)
        {
            return SignalResults.BadRequest(error);
        }

        var (stream, failure) = await LoadForWriteAsync(http, db, body.Json!);
        if (failure is not null)
        {
            return failure;
        }

        outbox.QueueVerification(stream!, state);
        await db.SaveChangesAsync(http.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>
    /// Sets the members a create (and a replace) takes, or those present (an update). The delivery method is fixed once
    /// the stream exists. Nothing is changed when a member is invalid.
    /// </summary>
    private static TesseraError? Apply(StreamConfiguration stream, JsonObject json, IDataProtectionProvider protection, bool replace)
    {
        var description = ApiBodies.OptionalString(json, "description", StreamConfiguration.DescriptionLength, out var error);
        var requested = error is null ? ApiBodies.OptionalStrings(json, "events_requested", out error) : null;
        if (error is null && requested is { Count: > StreamRules.MaximumEventTypes })
        {
            error = SharedSignalsErrors.BodyInvalid.With($"'events_requested' names more than {StreamRules.MaximumEventTypes} event types.");
        }

        if (error is null && requested is { Count: > 0 } && !requested.Any(SecurityEventTypes.Supported.Contains))
        {
            error = SharedSignalsErrors.EventTypesUnsupported.With(string.Join(", ", SecurityEventTypes.Supported));
        }

        var delivery = error is null ? ReadDelivery(json, stream, replace, out error) : null;
        if (error is not null)
        {
            return error;
        }

        if (delivery is not null)
        {
            stream.DeliveryMethod = delivery.Method;
            stream.EndpointUrl = delivery.Method == SignalDeliveryMethods.Push ? delivery.EndpointUrl : null;
            if (replace || delivery.AuthorizationHeaderGiven)
            {
                stream.ProtectedAuthorizationHeader = delivery.Method == SignalDeliveryMethods.Push && delivery.AuthorizationHeader is { } header
                    ? protection.CreateProtector(ProtectorPurpose).Protect(header)
                    : null;
            }
        }

        if (replace || json.ContainsKey("events_requested"))
        {
            stream.EventsRequested = requested ?? [];
        }

        if (replace || json.ContainsKey("description"))
        {
            stream.Description = description;
        }

        return null;
    }

    private sealed record Delivery(string Method, string? EndpointUrl, string? AuthorizationHeader, bool AuthorizationHeaderGiven);

    private static Delivery? ReadDelivery(JsonObject json, StreamConfiguration stream, bool replace, out TesseraError? error)
    {
        error = null;
        if (!json.TryGetPropertyValue("delivery", out var node) || node is null)
        {
            if (replace)
            {
                error = SharedSignalsErrors.BodyInvalid.With("'delivery' with its 'method' is required.");
            }

            return null;
        }

        if (node is not JsonObject delivery)
        {
            error = SharedSignalsErrors.BodyInvalid.With("'delivery' must be an object.");
            return null;
        }

        var method = ApiBodies.OptionalString(delivery, "method", 64, out error) ?? (error is null && !replace ? stream.DeliveryMethod : null);
        var endpoint = error is null ? ApiBodies.OptionalString(delivery, "endpoint_url", StreamConfiguration.EndpointLength, out error) : null;
        var header = error is null ? ApiBodies.OptionalString(delivery, "authorization_header", StreamRules.MaximumAuthorizationHeaderLength, out error) : null;
        if (error is not null)
        {
            return null;
        }

        if (method is not (SignalDeliveryMethods.Push or SignalDeliveryMethods.Poll))
        {
            error = SharedSignalsErrors.DeliveryMethodUnsupported.With(method ?? string.Empty);
            return null;
        }

        if (stream.DeliveryMethod.Length > 0 && method != stream.DeliveryMethod)
        {
            error = SharedSignalsErrors.DeliveryChangeNotAllowed;
            return null;
        }

        if (method == SignalDeliveryMethods.Push)
        {
            endpoint ??= replace ? null : stream.EndpointUrl;
            error = StreamRules.CheckPushEndpoint(endpoint);
            if (error is null && header is not null && header.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                error = SharedSignalsErrors.BodyInvalid.With("'authorization_header' must be one line.");
            }
        }

        return error is null ? new Delivery(method, endpoint, header, delivery.ContainsKey("authorization_header")) : null;
    }

    /// <summary>Loads the caller's stream named by <c>stream_id</c> (query, else body) for a change.</summary>
    private static async Task<(StreamConfiguration? Stream, IResult? Failure)> LoadForWriteAsync(HttpContext http, TesseraDbContext db, JsonObject? json)
    {
        var id = http.Request.Query["stream_id"].ToString();
        if (id.Length == 0 && json is not null)
        {
            id = ApiBodies.OptionalString(json, "stream_id", 64, out _) ?? string.Empty;
        }

        if (id.Length == 0)
        {
            return (null, SignalResults.BadRequest(SharedSignalsErrors.StreamIdRequired));
        }

        var stream = await FindAsync(db.SignalStreams, http.Receiver(), id, http.RequestAborted);
        return stream is null ? (null, NotFound(id)) : (stream, null);
    }

    internal static Task<StreamConfiguration?> FindAsync(IQueryable<StreamConfiguration> streams, SignalReceiver receiver, string id, CancellationToken cancellationToken)
        => Guid.TryParse(id, out var streamId)
            ? streams.FirstOrDefaultAsync(s => s.Id == streamId && s.TenantId == receiver.TenantId && s.AppId == receiver.AppId, cancellationToken)
            : Task.FromResult<StreamConfiguration?>(null);

    internal static IResult NotFound(string id) => SignalResults.Error(StatusCodes.Status404NotFound, SharedSignalsErrors.StreamNotFound.With(id));

    private static Dictionary<string, object?> Status(StreamConfiguration stream) => new()
    {
        ["stream_id"] = stream.Id.ToString("D"),
        ["status"] = stream.Status,
        ["reason"] = stream.StatusReason,
    };

    /// <summary>The stream configuration as SSF shapes it; the authorization header is never sent back.</summary>
    private static Dictionary<string, object?> Describe(HttpContext http, StreamConfiguration stream)
    {
        var origin = TransmitterMetadata.Origin(http);
        var endpoint = stream.DeliveryMethod == SignalDeliveryMethods.Poll ? $"{origin}/{stream.TenantId:D}{PollPath}/{stream.Id:D}" : stream.EndpointUrl;
        return new()
        {
            ["stream_id"] = stream.Id.ToString("D"),
            ["iss"] = TransmitterMetadata.Issuer(origin, stream.TenantId),
            ["aud"] = stream.AppId.ToString("D"),
            ["events_supported"] = SecurityEventTypes.Supported,
            ["events_requested"] = stream.EventsRequested,
            ["events_delivered"] = SecurityEventRules.Delivered(stream.EventsRequested),
            ["delivery"] = new Dictionary<string, object?> { ["method"] = stream.DeliveryMethod, ["endpoint_url"] = endpoint },
            ["min_verification_interval"] = MinimumVerificationInterval,
            ["inactivity_timeout"] = stream.InactivityTimeoutSeconds,
            ["description"] = stream.Description,
        };
    }
}
