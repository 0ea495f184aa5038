using Microsoft.Extensions.Logging;

namespace Tessera.AspNetCore.Diagnostics;

/// <summary>The SDK's logs: TSR68xx, event ids 6800–6899. No token or key material is ever logged; a subject only by its ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6801, Level = LogLevel.Information, Message = "TSR6801: Scheme {Scheme} refused a token: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string scheme, string reason);

    [LoggerMessage(EventId = 6802, Level = LogLevel.Warning, Message = "TSR6802: Could not read the metadata of tenant {TenantId} at {Address}. Tokens of that tenant are refused until it can be read.")]
    public static partial void MetadataUnavailable(ILogger logger, Exception exception, string tenantId, string address);

    [LoggerMessage(EventId = 6803, Level = LogLevel.Warning, Message = "TSR6803: The discovery document of tenant {TenantId} names issuer {Issuer}, not {Expected}; its tokens are refused. Check the Instance option.")]
    public static partial void MetadataIssuerMismatch(ILogger logger, string tenantId, string issuer, string expected);

    [LoggerMessage(EventId = 6804, Level = LogLevel.Warning, Message = "TSR6804: An OnMessageReceived handler of scheme {Scheme} supplied a token from elsewhere than the Authorization header; it was ignored. Tessera APIs take tokens only from 'Authorization: Bearer'.")]
    public static partial void TokenFromElsewhereIgnored(ILogger logger, string scheme);

    [LoggerMessage(EventId = 6805, Level = LogLevel.Information, Message = "TSR6805: Evicted {Count} validated tokens of subject {ObjectId} in tenant {TenantId} from the cache.")]
    public static partial void SubjectEvicted(ILogger logger, int count, string objectId, string tenantId);

    [LoggerMessage(EventId = 6806, Level = LogLevel.Debug, Message = "TSR6806: Scheme {Scheme} could not find the token's signing key; the tenant's keys are read again.")]
    public static partial void SigningKeyNotFound(ILogger logger, string scheme);

    [LoggerMessage(EventId = 6807, Level = LogLevel.Information, Message = "TSR6807: Scheme {Scheme} refused a token of subject {ObjectId} in tenant {TenantId}: issued before its access was revoked at {RevokedAt} (Unix time); claims challenge: {ClientCapable}.")]
    public static partial void TokenRevoked(ILogger logger, string scheme, Guid? objectId, Guid? tenantId, long revokedAt, bool clientCapable);

    [LoggerMessage(EventId = 6810, Level = LogLevel.Warning, Message = "TSR6810: Scheme {Scheme} refused a security event token ({Err}): {Description}")]
    public static partial void SetRejected(ILogger logger, string scheme, string err, string description);

    [LoggerMessage(EventId = 6811, Level = LogLevel.Information, Message = "TSR6811: Scheme {Scheme} applied {EventType} for subject {ObjectId}: its tokens issued at or before {Timestamp} (Unix time) are refused (jti {Jti}).")]
    public static partial void SetApplied(ILogger logger, string scheme, string eventType, Guid objectId, long timestamp, string jti);

    [LoggerMessage(EventId = 6812, Level = LogLevel.Information, Message = "TSR6812: Scheme {Scheme} acknowledged {EventType} without effect (jti {Jti}).")]
    public static partial void SetWithoutEffect(ILogger logger, string scheme, string eventType, string jti);

    [LoggerMessage(EventId = 6813, Level = LogLevel.Warning, Message = "TSR6813: The security event receiver of scheme {Scheme} failed; it tries again in {Seconds} s. Meanwhile revocations already received stay in force.")]
    public static partial void ReceiverFailed(ILogger logger, Exception exception, string scheme, double seconds);

    [LoggerMessage(EventId = 6814, Level = LogLevel.Information, Message = "TSR6814: Scheme {Scheme} made event stream {StreamId} ({Method}); kept across restarts: {Kept}.")]
    public static partial void StreamCreated(ILogger logger, string scheme, string streamId, string method, bool kept);

    [LoggerMessage(EventId = 6815, Level = LogLevel.Information, Message = "TSR6815: Scheme {Scheme} reuses its event stream {StreamId}.")]
    public static partial void StreamReused(ILogger logger, string scheme, string streamId);
}
