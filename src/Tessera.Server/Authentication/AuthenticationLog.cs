namespace Tessera.Server.Authentication;

/// <summary>Log lines of passkey ceremonies that failed: the page tells the person little, the operator more.</summary>
public static partial class AuthenticationLog
{
    [LoggerMessage(EventId = 5220, Level = LogLevel.Information, Message = "TSR5220: A passkey sign-in failed: {Reason} The sign-in log has the attempt.")]
    public static partial void PasskeySignInFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5221, Level = LogLevel.Information, Message = "TSR5221: A passkey was not added for user {UserId}: {Reason}")]
    public static partial void PasskeyNotAdded(ILogger logger, Guid userId, string reason);
}
