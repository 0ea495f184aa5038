using System.Globalization;
using System.Net;

namespace Tessera.Policy.Posture;

/// <summary>
/// The Zero Trust checks of an application registration (<c>tessera assess</c>). Each rule looks at one practice and
/// reports the values that break it; a rule that needs data the source did not give (owners, verified domains)
/// reports nothing.
/// </summary>
public static class PostureRules
{
    public static readonly PostureRule ImplicitGrant = new("TSP001", "ImplicitGrant", Severity.Error,
        "The implicit grant is on.",
        "Turn off implicit issuance of access and ID tokens; use the authorization code flow with PKCE (RFC 9700 §2.1.2).");
    public static readonly PostureRule HttpRedirect = new("TSP002", "HttpRedirectUri", Severity.Error,
        "A redirect URI uses plain HTTP on a host that is not loopback.",
        "Use https redirect URIs; plain http is only for loopback addresses of native apps (RFC 8252 §7.3).");
    public static readonly PostureRule WildcardRedirect = new("TSP003", "WildcardRedirectUri", Severity.Error,
        "A redirect URI has a wildcard.",
        "Register each redirect URI exactly; a wildcard lets any matching address receive codes and tokens.");
    public static readonly PostureRule RedirectOutsideDomains = new("TSP004", "RedirectOutsideVerifiedDomains", Severity.Warning,
        "A redirect host is not under one of the tenant's verified domains.",
        "Move the app to a host under a verified domain, or verify the domain: a host you do not control can be taken over.");
    public static readonly PostureRule SharedHostingRedirect = new("TSP005", "SharedHostingRedirectUri", Severity.Warning,
        "A redirect host is on a shared hosting suffix.",
        "Serve the app from a custom domain you control: names on shared suffixes can be claimed by someone else once released.");
    public static readonly PostureRule OobRedirect = new("TSP006", "OutOfBandRedirectUri", Severity.Warning,
        "A deprecated out-of-band redirect URI is registered.",
        "Remove urn:ietf:wg:oauth:2.0:oob; use a loopback redirect URI or the device code flow.");
    public static readonly PostureRule UnrelatedHosts = new("TSP007", "SharedRegistration", Severity.Warning,
        "One registration serves unrelated sites.",
        "Register one application per app, so that each has its own credentials, permissions and consent.");
    public static readonly PostureRule SecretCredential = new("TSP008", "ClientSecret", Severity.Warning,
        "The application authenticates with a client secret.",
        "Use a certificate or a federated identity credential instead; a secret is a password that can be copied.");
    public static readonly PostureRule LongLivedCredential = new("TSP009", "CredentialLifetimeOverPolicy", Severity.Warning,
        "A credential is valid for longer than the policy allows.",
        "Issue shorter-lived credentials and rotate them automatically.");
    public static readonly PostureRule ExpiredCredential = new("TSP010", "ExpiredCredential", Severity.Warning,
        "A credential has expired.",
        "Remove expired credentials; they only confuse rotation and audits.");
    public static readonly PostureRule ExpiringCredential = new("TSP011", "ExpiringCredential", Severity.Note,
        "A credential expires soon.",
        "Add its replacement now and switch before it expires (two valid credentials overlap during rotation).");
    public static readonly PostureRule FallbackPublicWithCredentials = new("TSP012", "PublicClientWithCredentials", Severity.Error,
        "The application is a fallback public client and also holds credentials.",
        "Decide: a public client holds no credentials; a confidential client turns isFallbackPublicClient off.");
    public static readonly PostureRule UnverifiedMultitenant = new("TSP013", "MultitenantUnverifiedPublisher", Severity.Warning,
        "A multitenant application has no verified publisher.",
        "Verify the publisher, so that other organisations' users see who asks for their data.");
    public static readonly PostureRule NeedlessMultitenant = new("TSP014", "MultitenantWithoutNeed", Severity.Note,
        "A multitenant application has no sign-in and no API for other organisations.",
        "Set signInAudience to AzureADMyOrg unless other organisations use the app.");
    public static readonly PostureRule NoOwners = new("TSP015", "MissingOwners", Severity.Warning,
        "The application has no owner.",
        "Give the application at least two owners who answer for it.");
    public static readonly PostureRule SingleOwner = new("TSP016", "SingleOwner", Severity.Note,
        "The application has a single owner.",
        "Add a second owner, so that the app is not orphaned when one person leaves.");
    public static readonly PostureRule HighPrivilege = new("TSP017", "HighPrivilegePermission", Severity.Error,
        "The application requests a high-privilege permission.",
        "Request the narrowest permission that does the job; critical application permissions let the app take over the tenant.");
    public static readonly PostureRule ApplicationWhereDelegated = new("TSP018", "ApplicationPermissionWhereDelegatedWouldDo", Severity.Warning,
        "An app that signs people in requests application permissions that have a delegated form.",
        "Use the delegated permission, so that the app acts only within what the signed-in person may do.");
    public static readonly PostureRule ReadAndWrite = new("TSP019", "WriteWithRead", Severity.Note,
        "The application requests both the read and the read-write form of a permission.",
        "Keep only the read permission unless the app writes; remove the read form if it does.");
    public static readonly PostureRule CatchAllScope = new("TSP020", "CatchAllScope", Severity.Warning,
        "The API exposes a catch-all scope.",
        "Expose scopes per operation (Orders.Read, Orders.Write) instead of one scope for everything.");
    public static readonly PostureRule AppAccessWithoutRoles = new("TSP021", "ApiWithoutAppRoles", Severity.Warning,
        "Applications get access to this API without app roles.",
        "Define app roles for application callers and check them; a token with no roles carries no permission to check.");
    public static readonly PostureRule AccessTokenVersion1 = new("TSP022", "AccessTokenVersion1", Severity.Warning,
        "The API asks for version 1 access tokens.",
        "Set api.requestedAccessTokenVersion to 2.");
    public static readonly PostureRule PasswordGrant = new("TSP023", "PasswordGrant", Severity.Error,
        "The resource owner password grant is on.",
        "Turn it off: the app sees people's passwords and no second factor can be asked (RFC 9700 §2.4).");

    public static readonly PostureRule Dormant = new("TSP024", "DormantApplication", Severity.Warning,
        "The application has not signed in for a long time.",
        "Remove the registration (or its credentials) if nobody uses it; a forgotten app with credentials is a way in.");
    public static readonly PostureRule UnusedAccess = new("TSP025", "UnusedPermission", Severity.Warning,
        "The application asks for an API it has not called for a long time.",
        "Remove the permissions it no longer uses from requiredResourceAccess, and revoke their grants.");

    public static readonly PostureRule UserConsentUnverifiedPublisher = new("TSP026", "UserConsentToUnverifiedPublisher", Severity.Warning,
        "People consented for themselves to an application without a verified publisher.",
        "Review and revoke these grants, and let users consent only to verified publishers: nobody vouches for who receives their data.");
    public static readonly PostureRule ServicePrincipalCredential = new("TSP027", "ServicePrincipalCredential", Severity.Warning,
        "The service principal holds credentials of its own.",
        "Remove them, and keep the application's credentials on its registration: credentials on a service principal do not show there, a known way to keep access unseen.");

    public static readonly IReadOnlyList<PostureRule> All =
    [
        ImplicitGrant, HttpRedirect, WildcardRedirect, RedirectOutsideDomains, SharedHostingRedirect, OobRedirect, UnrelatedHosts,
        SecretCredential, LongLivedCredential, ExpiredCredential, ExpiringCredential, FallbackPublicWithCredentials,
        UnverifiedMultitenant, NeedlessMultitenant, NoOwners, SingleOwner, HighPrivilege, ApplicationWhereDelegated, ReadAndWrite,
        CatchAllScope, AppAccessWithoutRoles, AccessTokenVersion1, PasswordGrant, Dormant, UnusedAccess, UserConsentUnverifiedPublisher,
        ServicePrincipalCredential,
    ];

    /// <summary>The organisations Microsoft registers its own applications in: their publisher is Microsoft, verified or not.</summary>
    private static readonly HashSet<string> MicrosoftOrganizations = new(StringComparer.OrdinalIgnoreCase)
    {
        "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47",
    };

    /// <summary>Hosting suffixes where a released name can be registered by anyone.</summary>
    private static readonly string[] SharedHostingSuffixes =
    [
        "azurewebsites.net", "cloudapp.net", "cloudapp.azure.com", "trafficmanager.net", "azurestaticapps.net", "blob.core.windows.net",
        "herokuapp.com", "github.io", "netlify.app", "vercel.app", "appspot.com", "web.app", "firebaseapp.com", "pages.dev",
        "ngrok.io", "ngrok-free.app", "onrender.com", "fly.dev", "glitch.me",
    ];

    private static readonly string[] CatchAllScopeValues = ["user_impersonation", "access_as_user", "full_access", "all", "*", "everything"];

    /// <summary>Every finding for every application, ordered by application then rule.</summary>
    public static IReadOnlyList<PostureFinding> Assess(IEnumerable<AppRegistration> apps, AssessmentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(apps);
        ArgumentNullException.ThrowIfNull(settings);
        var list = apps.ToList();
        var findings = new List<PostureFinding>();
        foreach (var app in list)
        {
            findings.AddRange(Assess(app, list, settings));
        }

        return findings;
    }

    /// <summary>The findings of one application; <paramref name="all"/> are the others it is seen with.</summary>
    public static IEnumerable<PostureFinding> Assess(AppRegistration app, IReadOnlyList<AppRegistration> all, AssessmentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(settings);
        PostureFinding Finding(PostureRule rule, string evidence, Severity? severity = null)
            => new(rule, app.AppId, app.DisplayName, evidence, severity ?? rule.Severity);

        foreach (var finding in ServicePrincipalFindings(app, Finding))
        {
            yield return finding;
        }

        if (app.RegisteredElsewhere)
        {
            yield break;
        }

        if (app.ImplicitAccessTokens || app.ImplicitIdTokens)
        {
            var issued = string.Join(" and ", new[] { app.ImplicitAccessTokens ? "access tokens" : null, app.ImplicitIdTokens ? "ID tokens" : null }.OfType<string>());
            yield return Finding(ImplicitGrant, $"implicitGrantSettings issues {issued}", app.ImplicitAccessTokens ? Severity.Error : Severity.Warning);
        }

        if (app.PasswordGrant)
        {
            yield return Finding(PasswordGrant, "direct access grants (password) enabled");
        }

        foreach (var finding in RedirectFindings(app, settings, Finding))
        {
            yield return finding;
        }

        foreach (var finding in CredentialFindings(app, settings, Finding))
        {
            yield return finding;
        }

        if (app.IsMultitenant)
        {
            if (string.IsNullOrEmpty(app.VerifiedPublisherId))
            {
                yield return Finding(UnverifiedMultitenant, $"signInAudience {app.SignInAudience}, no verifiedPublisher");
            }

            if (!app.AllRedirectUris.Any() && !app.ExposesApi)
            {
                yield return Finding(NeedlessMultitenant, $"signInAudience {app.SignInAudience} with no redirect URI and no API");
            }
        }

        if (app.Owners is { } owners)
        {
            if (owners.Count == 0)
            {
                yield return Finding(NoOwners, "owners: none");
            }
            else if (owners.Count == 1)
            {
                yield return Finding(SingleOwner, $"owners: {owners[0]}");
            }
        }

        foreach (var finding in PermissionFindings(app, all, Finding))
        {
            yield return finding;
        }

        foreach (var finding in UsageFindings(app, all, settings, Finding))
        {
            yield return finding;
        }
    }

    /// <summary>
    /// What the tenant's service principal holds: people's own consents to an app nobody vouches for (an error when
    /// another organisation registered it, a note when the service principal is disabled and the grants cannot be
    /// used), and credentials of its own.
    /// </summary>
    private static IEnumerable<PostureFinding> ServicePrincipalFindings(AppRegistration app, Func<PostureRule, string, Severity?, PostureFinding> finding)
    {
        if (app.ServicePrincipal is not { } principal)
        {
            yield break;
        }

        var byMicrosoft = principal.AppOwnerOrganizationId is { } owner && MicrosoftOrganizations.Contains(owner);
        if (principal.UserConsents.Count > 0 && string.IsNullOrEmpty(app.VerifiedPublisherId) && !byMicrosoft)
        {
            var people = principal.UserConsents.Select(c => c.PrincipalId).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            var apis = principal.UserConsents.GroupBy(c => c.ResourceDisplayName, StringComparer.OrdinalIgnoreCase)
                .Select(g => $"{g.Key} ({string.Join(' ', g.SelectMany(c => c.Scopes).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))})")
                .Order(StringComparer.OrdinalIgnoreCase);
            var risky = principal.UserConsents
                .SelectMany(c => c.Scopes.Select(s => GraphPermissionCatalogue.FindDelegated(c.ResourceAppId, s)))
                .OfType<GraphPermissionInfo>().Where(p => p.Privilege >= Privilege.Medium).Select(p => p.Name).Distinct().Order(StringComparer.Ordinal).ToList();
            var evidence = $"{people} user(s) consented to {string.Join(", ", apis)}; no verifiedPublisher"
                           + (app.RegisteredElsewhere ? $", registered by organisation {principal.AppOwnerOrganizationId ?? "unknown"}" : "")
                           + (risky.Count > 0 ? $"; broad: {string.Join(", ", risky)}" : "")
                           + (principal.AccountEnabled ? "" : "; service principal disabled");
            var severity = !principal.AccountEnabled ? Severity.Note : app.RegisteredElsewhere || risky.Count > 0 ? Severity.Error : Severity.Warning;
            yield return finding(UserConsentUnverifiedPublisher, evidence, severity);
        }

        if (principal.Secrets.Count > 0 || principal.Certificates.Count > 0)
        {
            var held = principal.Secrets.Select(c => ("secret", c)).Concat(principal.Certificates.Select(c => ("certificate", c)))
                .Select(h => $"{h.Item1} '{h.c.DisplayName ?? "(no name)"}'" + (h.c.End is { } end ? $" until {Day(end)}" : " without expiry"));
            yield return finding(ServicePrincipalCredential, "on the service principal: " + string.Join(", ", held), null);
        }
    }

    /// <summary>Dormant applications and unused API access, from the tenant's sign-in activity (live mode only).</summary>
    private static IEnumerable<PostureFinding> UsageFindings(
        AppRegistration app, IReadOnlyList<AppRegistration> all, AssessmentSettings settings, Func<PostureRule, string, Severity?, PostureFinding> finding)
    {
        var since = settings.Now - settings.UnusedAfter;
        if (settings.Activity is not { } activity || app.CreatedDateTime is { } created && created > since)
        {
            yield break;
        }

        var days = (int)settings.UnusedAfter.TotalDays;
        var seen = activity.GetValueOrDefault(app.AppId);
        if (seen?.LastSignIn is not { } last || last < since)
        {
            // An API that never signs in itself is not dormant: its callers' tokens are its use.
            if (!app.ExposesApi)
            {
                yield return finding(Dormant, seen?.LastSignIn is { } when ? $"last sign-in {Day(when)}, over {days} days ago" : $"no sign-in in the log (over {days} days)", null);
            }

            yield break;
        }

        foreach (var resource in app.RequiredResourceAccess.Select(p => p.ResourceAppId).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (seen.LastTokenByResource.GetValueOrDefault(resource) is var used && used >= since)
            {
                continue;
            }

            var name = all.FirstOrDefault(a => string.Equals(a.AppId, resource, StringComparison.OrdinalIgnoreCase))?.DisplayName
                       ?? (string.Equals(resource, GraphPermissionCatalogue.MicrosoftGraph, StringComparison.OrdinalIgnoreCase) ? "Microsoft Graph" : resource);
            yield return finding(UnusedAccess, used == default ? $"{name}: no token in the log (over {days} days)" : $"{name}: last token {Day(used)}, over {days} days ago", null);
        }
    }

    private static IEnumerable<PostureFinding> RedirectFindings(AppRegistration app, AssessmentSettings settings, Func<PostureRule, string, Severity?, PostureFinding> finding)
    {
        var sites = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var uri in app.AllRedirectUris)
        {
            if (uri.Contains('*', StringComparison.Ordinal))
            {
                yield return finding(WildcardRedirect, uri, null);
                continue;
            }

            if (uri.StartsWith("urn:ietf:wg:oauth:2.0:oob", StringComparison.OrdinalIgnoreCase))
            {
                yield return finding(OobRedirect, uri, null);
                continue;
            }

            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            {
                continue;
            }

            if (IsLoopback(parsed))
            {
                continue;
            }

            if (parsed.Scheme == "http")
            {
                yield return finding(HttpRedirect, uri, null);
            }

            var host = parsed.IdnHost.ToLowerInvariant();
            if (SharedHostingSuffixes.FirstOrDefault(s => host.EndsWith("." + s, StringComparison.Ordinal)) is { } suffix)
            {
                yield return finding(SharedHostingRedirect, $"{uri} (on {suffix})", null);
                sites.Add(host);
            }
            else
            {
                sites.Add(Site(host));
                if (settings.VerifiedDomains.Count > 0 &&
                    !settings.VerifiedDomains.Any(d => string.Equals(host, d, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + d, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return finding(RedirectOutsideDomains, $"{uri} (verified: {string.Join(", ", settings.VerifiedDomains)})", null);
                }
            }
        }

        if (sites.Count > 1)
        {
            yield return finding(UnrelatedHosts, "redirect sites: " + string.Join(", ", sites), null);
        }
    }

    private static IEnumerable<PostureFinding> CredentialFindings(AppRegistration app, AssessmentSettings settings, Func<PostureRule, string, Severity?, PostureFinding> finding)
    {
        var hasCredentials = app.Secrets.Count > 0 || app.Certificates.Count > 0 || app.FederatedCredentials > 0;
        if (app.IsFallbackPublicClient && hasCredentials)
        {
            yield return finding(FallbackPublicWithCredentials,
                $"isFallbackPublicClient true with {app.Secrets.Count} secret(s), {app.Certificates.Count} certificate(s), {app.FederatedCredentials} federated credential(s)", null);
        }

        var activeSecrets = app.Secrets.Where(s => s.End is not { } end || end > settings.Now).ToList();
        if (activeSecrets.Count > 0)
        {
            yield return finding(SecretCredential, $"{activeSecrets.Count} client secret(s): {Names(activeSecrets)}", null);
        }

        foreach (var (credential, kind, longest) in app.Secrets.Select(s => (s, "secret", settings.LongestSecretLifetime))
                     .Concat(app.Certificates.Select(c => (c, "certificate", settings.LongestCertificateLifetime))))
        {
            var name = $"{kind} '{credential.DisplayName ?? "(no name)"}'";
            if (credential.End is not { } end)
            {
                yield return finding(LongLivedCredential, $"{name} never expires", null);
                continue;
            }

            if (end <= settings.Now)
            {
                yield return finding(ExpiredCredential, $"{name} expired {Day(end)}", null);
                continue;
            }

            if (credential.Start is { } start && end - start > longest)
            {
                yield return finding(LongLivedCredential, $"{name} valid {(end - start).TotalDays:0} days (policy: {longest.TotalDays:0})", null);
            }

            if (end - settings.Now <= settings.ExpiryWarning)
            {
                yield return finding(ExpiringCredential, $"{name} expires {Day(end)}", null);
            }
        }
    }

    private static IEnumerable<PostureFinding> PermissionFindings(
        AppRegistration app, IReadOnlyList<AppRegistration> all, Func<PostureRule, string, Severity?, PostureFinding> finding)
    {
        var known = app.RequiredResourceAccess.Select(GraphPermissionCatalogue.Find).OfType<GraphPermissionInfo>().ToList();
        foreach (var permission in known.Where(p => p.Privilege >= Privilege.High))
        {
            var severity = permission.Privilege == Privilege.Critical && !permission.Delegated ? Severity.Error : Severity.Warning;
            yield return finding(HighPrivilege,
                $"Microsoft Graph {permission.Name} ({(permission.Delegated ? "delegated" : "application")}, {permission.Privilege.ToString().ToLowerInvariant()})", severity);
        }

        var signsPeopleIn = app.WebRedirectUris.Count > 0 || app.SpaRedirectUris.Count > 0 || app.PublicClientRedirectUris.Count > 0;
        if (signsPeopleIn)
        {
            var replaceable = known.Where(p => !p.Delegated && GraphPermissionCatalogue.DelegatedCounterpart(p) is not null).Select(p => p.Name).ToList();
            if (replaceable.Count > 0)
            {
                yield return finding(ApplicationWhereDelegated, "application permissions: " + string.Join(", ", replaceable), null);
            }
        }

        foreach (var group in known.GroupBy(p => (p.Delegated, Base: p.Name.Replace(".ReadWrite", ".Read", StringComparison.Ordinal))))
        {
            var names = group.Select(p => p.Name).ToList();
            if (names.Contains(group.Key.Base) && names.Any(n => n != group.Key.Base))
            {
                yield return finding(ReadAndWrite, string.Join(" and ", names.Order(StringComparer.Ordinal)), null);
            }
        }

        var catchAll = app.ExposedScopes.Where(s => CatchAllScopeValues.Contains(s, StringComparer.OrdinalIgnoreCase)).ToList();
        if (catchAll.Count > 0)
        {
            yield return finding(CatchAllScope, "scopes: " + string.Join(", ", catchAll), null);
        }

        if (app.ExposesApi && !app.AppRoles.Any(r => r.AllowedMemberTypes.Contains("Application", StringComparer.Ordinal)))
        {
            // Other registrations of the same export that ask this API for application access.
            var callers = all.Where(a => a.RequiredResourceAccess.Any(p => p.IsApplication && string.Equals(p.ResourceAppId, app.AppId, StringComparison.OrdinalIgnoreCase)))
                .Select(a => a.DisplayName).ToList();
            if (callers.Count > 0)
            {
                yield return finding(AppAccessWithoutRoles, "application access requested by: " + string.Join(", ", callers), null);
            }
        }

        if (app.ExposesApi && app.RequestedAccessTokenVersion is null or 1)
        {
            yield return finding(AccessTokenVersion1, $"api.requestedAccessTokenVersion {(app.RequestedAccessTokenVersion?.ToString(CultureInfo.InvariantCulture) ?? "null")}", null);
        }
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The registrable part of a host, near enough: the last two labels, or three under a two-letter country's second level.</summary>
    private static string Site(string host)
    {
        var labels = host.Split('.');
        if (labels.Length <= 2 || IPAddress.TryParse(host, out _))
        {
            return host;
        }

        var keep = labels[^1].Length == 2 && labels[^2] is "co" or "com" or "org" or "net" or "gov" or "ac" or "edu" ? 3 : 2;
        return string.Join('.', labels[^Math.Min(keep, labels.Length)..]);
    }

    private static string Names(IEnumerable<AppCredential> credentials)
        => string.Join(", ", credentials.Select(c => $"'{c.DisplayName ?? "(no name)"}'"));

    private static string Day(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
