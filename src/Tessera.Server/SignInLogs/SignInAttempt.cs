using System.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;
using Tessera.Directory.Audit;
using Tessera.Directory.Users;
using Tessera.Policy.SignIns;
using Tessera.Server.Clients;
using Tessera.Server.Protocol.Tokens;

namespace Tessera.Server.SignInLogs;

/// <summary>
/// Who signed in to what, how, and from where: a sign-in event without its outcome. Made where the sign-in happens
/// from the request; <see cref="SignInLog.Record(SignInAttempt, SignInStatus)"/> adds the outcome and the time.
/// </summary>
public sealed record SignInAttempt
{
    private SignInAttempt(HttpContext http, Guid tenantId, string eventType, string clientAppUsed, string authenticationMethods)
    {
        TenantId = tenantId;
        EventType = eventType;
        ClientAppUsed = clientAppUsed;
        AuthenticationMethods = authenticationMethods;
        IpAddress = ClientAddress.Text(http.Connection.RemoteIpAddress);
        SourcePrefix = SignInSources.Of(http.Connection.RemoteIpAddress);
        UserAgent = Cut(http.Request.Headers.UserAgent.ToString(), SignInEvent.UserAgentLength);
        CorrelationId = Cut(Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier, 64);
    }

    public Guid TenantId { get; }
    public string EventType { get; }
    public string ClientAppUsed { get; }
    /// <summary>Graph's <c>authenticationMethodsUsed</c>: "Password", "Password, Authenticator app", "Passkey"...</summary>
    public string AuthenticationMethods { get; init; }
    public string IpAddress { get; }
    public string SourcePrefix { get; }
    public string UserAgent { get; }
    public string CorrelationId { get; }
    public Guid AppId { get; init; }
    public string? AppDisplayName { get; init; }
    public Guid? ResourceId { get; init; }
    public Guid? UserId { get; init; }
    public string? UserPrincipalName { get; init; }
    public string? UserDisplayName { get; init; }

    /// <summary>The Conditional Access results, as <see cref="ConditionalAccess.AppliedPolicies"/> writes them.</summary>
    public string? AppliedConditionalAccessPolicies { get; init; }

    /// <summary>A person on the sign-in page, signing in to <paramref name="client"/> (none when the page was opened directly).</summary>
    public static SignInAttempt Interactive(HttpContext http, Guid tenantId, ClientInfo? client)
    {
        ArgumentNullException.ThrowIfNull(http);
        return new SignInAttempt(http, tenantId, SignInEventTypes.InteractiveUser, SignInClientApps.Browser, "Password")
        {
            AppId = client?.AppId ?? Guid.Empty,
            AppDisplayName = client?.DisplayName,
        };
    }

    /// <summary>
    /// A request to the token endpoint: an application as itself (client credentials), or for a person whose
    /// sign-in it completes (authorization code) or continues without them (refresh token, device code).
    /// </summary>
    public static SignInAttempt Token(HttpContext http, OpenIddictRequest request, Guid tenantId, ClientInfo? client)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        var attempt = request.IsClientCredentialsGrantType()
            ? new SignInAttempt(http, tenantId, SignInEventTypes.ServicePrincipal, SignInClientApps.OtherClients,
                Federation.AcceptFederatedClientAssertions.MatchedCredential(http) is not null ? "Federated identity credential"
                : TesseraClaims.ClientAuthenticationOf(request) == "2" ? "Certificate" : "Client secret")
            : new SignInAttempt(http, tenantId,
                request.IsAuthorizationCodeGrantType() ? SignInEventTypes.InteractiveUser : SignInEventTypes.NonInteractiveUser,
                SignInClientApps.OtherClients, "Previously satisfied");
        return attempt with
        {
            AppId = client?.AppId ?? (Guid.TryParse(request.ClientId, out var appId) ? appId : Guid.Empty),
            AppDisplayName = client?.DisplayName,
        };
    }

    /// <summary>The person signing in.</summary>
    public SignInAttempt By(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return this with { UserId = user.Id, UserPrincipalName = user.UserName, UserDisplayName = user.DisplayName };
    }

    /// <summary>A user name that names nobody in the tenant, as it was typed.</summary>
    public SignInAttempt ByName(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        return this with { UserPrincipalName = Cut(typed, SignInEvent.NameLength) };
    }

    /// <summary>The methods used, as the log reads them (see <c>AuthenticationStrengths.Describe</c>).</summary>
    public SignInAttempt Using(string methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return this with { AuthenticationMethods = Cut(methods, 64) };
    }

    /// <summary>The Conditional Access decision the sign-in was judged by.</summary>
    public SignInAttempt Under(Tessera.Policy.ConditionalAccess.ConditionalAccessDecision decision)
        => this with { AppliedConditionalAccessPolicies = ConditionalAccess.AppliedPolicies.ToJson(decision) };

    /// <summary>The API the token is for.</summary>
    public SignInAttempt For(Guid? resourceAppId) => this with { ResourceId = resourceAppId };

    /// <summary>The <c>client_id</c> of the authorization request that a sign-in page's return URL resumes.</summary>
    public static Guid? ClientIdOf(string? returnUrl)
    {
        var query = returnUrl?.IndexOf('?', StringComparison.Ordinal) is int start and >= 0 ? returnUrl[start..] : null;
        return query is not null &&
               QueryHelpers.ParseQuery(query).TryGetValue(OpenIddictConstants.Parameters.ClientId, out var values) &&
               Guid.TryParse(values.ToString(), out var clientId)
            ? clientId
            : null;
    }

    internal SignInEvent ToEvent(SignInStatus status, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at),
        TenantId = TenantId,
        CreatedDateTime = at,
        UserId = UserId,
        UserPrincipalName = UserPrincipalName,
        UserDisplayName = UserDisplayName,
        AppId = AppId,
        AppDisplayName = AppDisplayName,
        ResourceId = ResourceId,
        IpAddress = IpAddress,
        SourcePrefix = SourcePrefix,
        UserAgent = UserAgent,
        ClientAppUsed = ClientAppUsed,
        IsInteractive = EventType == SignInEventTypes.InteractiveUser,
        ErrorCode = status.ErrorCode,
        FailureReason = status.FailureReason,
        AuthenticationMethods = AuthenticationMethods,
        SignInEventType = EventType,
        CorrelationId = CorrelationId,
        AppliedConditionalAccessPolicies = AppliedConditionalAccessPolicies,
    };

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];
}
