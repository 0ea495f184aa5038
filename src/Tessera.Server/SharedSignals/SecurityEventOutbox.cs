using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Directory.SharedSignals;
using Tessera.Directory.Storage;
using Tessera.Policy.SharedSignals;
using Tessera.Server.Keys;

namespace Tessera.Server.SharedSignals;

/// <summary>
/// Turns a directory change into one Security Event Token per stream of the tenant that asked for its event type, and
/// stages them in the request's unit of work: the caller's save writes the change, its audit entry and the SETs in one
/// transaction (an outbox), and this node's push worker is woken when that save succeeds.
/// SETs are signed now, with the tenant's current key and issuer, so that any node can deliver them as they are.
/// </summary>
public sealed class SecurityEventOutbox(
    TesseraDbContext db, SigningKeyRing keys, OutboxSignal signal, TimeProvider time, IHttpContextAccessor accessor)
{
    public const string TokenType = "secevent+jwt";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private bool _wakeOnSave;

    /// <summary>Queues the event for a change of <paramref name="subjectId"/> made now.</summary>
    public Task QueueAsync(Guid tenantId, DirectoryChangeKind kind, Guid subjectId, string initiatingEntity, CancellationToken cancellationToken)
        => QueueAsync(tenantId, new DirectoryChange(kind, subjectId, time.GetUtcNow(), initiatingEntity), cancellationToken);

    /// <summary>Queues the event for <paramref name="change"/> on every stream of the tenant that delivers its type.</summary>
    public Task QueueAsync(Guid tenantId, DirectoryChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var subject = new JsonObject { ["format"] = "iss_sub", ["iss"] = Issuer(tenantId), ["sub"] = change.SubjectId.ToString("D") };
        return QueueAsync(tenantId, change, subject, receiverApp: null, cancellationToken);
    }

    /// <summary>
    /// Queues that the application <paramref name="clientId"/> lost delegated permissions to <paramref name="resourceId"/>
    /// for every user. The subject is the client (an SSF complex subject, <c>{"format": "complex", "application":
    /// {"format": "opaque", "id": &lt;client app id&gt;}}</c>, the <c>azp</c> of its tokens), and only the resource's own
    /// streams hear it: the grant concerned that API, no other.
    /// </summary>
    public Task QueueClientConsentRemovedAsync(Guid tenantId, Guid clientId, Guid resourceId, string initiatingEntity, CancellationToken cancellationToken)
    {
        var subject = new JsonObject
        {
            ["format"] = "complex",
            ["application"] = new JsonObject { ["format"] = "opaque", ["id"] = clientId.ToString("D") },
        };
        var change = new DirectoryChange(DirectoryChangeKind.ClientConsentRemoved, clientId, time.GetUtcNow(), initiatingEntity);
        return QueueAsync(tenantId, change, subject, resourceId, cancellationToken);
    }

    private async Task QueueAsync(Guid tenantId, DirectoryChange change, JsonObject subject, Guid? receiverApp, CancellationToken cancellationToken)
    {
        var securityEvent = SecurityEventRules.For(change);
        var streams = await db.SignalStreams.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.Status != SignalStreamStatuses.Disabled && (receiverApp == null || s.AppId == receiverApp))
            .Select(s => new { s.Id, s.AppId, s.EventsRequested })
            .ToListAsync(cancellationToken);
        foreach (var stream in streams.Where(s => SecurityEventRules.Delivered(s.EventsRequested).Contains(securityEvent.Type)))
        {
            Stage(tenantId, stream.Id, stream.AppId, subject, securityEvent);
        }
    }

    /// <summary>Queues the SSF verification event on one stream (its subject is the stream itself).</summary>
    public void QueueVerification(StreamConfiguration stream, string? state)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var subject = new JsonObject { ["format"] = "opaque", ["id"] = stream.Id.ToString("D") };
        Stage(stream.TenantId, stream.Id, stream.AppId, subject, SecurityEventRules.Verification(state));
    }

    private void Stage(Guid tenantId, Guid streamId, Guid audience, JsonObject subject, SecurityEvent securityEvent)
    {
        var id = Guid.NewGuid();
        var now = time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer(tenantId),
            Audience = audience.ToString("D"),
            TokenType = TokenType,
            SigningCredentials = keys.Active,
            Claims = new Dictionary<string, object>
            {
                ["jti"] = id.ToString("D"),
                ["iat"] = now.ToUnixTimeSeconds(),
                ["sub_id"] = Element(subject),
                ["events"] = Element(new JsonObject { [securityEvent.Type] = securityEvent.Payload.DeepClone() }),
            },
        };
        db.QueuedSecurityEvents.Add(new QueuedSecurityEvent
        {
            Id = id,
            StreamId = streamId,
            TenantId = tenantId,
            EventType = securityEvent.Type,
            Token = Handler.CreateToken(descriptor),
            CreatedDateTime = now,
            NextAttemptDateTime = now,
        });
        if (!_wakeOnSave)
        {
            _wakeOnSave = true;
            db.SavedChanges += (_, _) => signal.Pulse();
        }
    }

    /// <summary>The tenant's issuer as clients of this request know it (the one its access tokens carry).</summary>
    private string Issuer(Guid tenantId)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("Security events are queued while handling a request.");
        return TransmitterMetadata.Issuer(TransmitterMetadata.Origin(http), tenantId);
    }

    private static JsonElement Element(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }
}
