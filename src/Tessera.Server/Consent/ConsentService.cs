using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Abstractions;
using Tessera.Directory.Applications;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Directory.Users;
using Tessera.Policy.Admin;
using Tessera.Policy.Consent;
using Tessera.Policy.Errors;
using Tessera.Policy.Scopes;
using Tessera.Policy.ServicePrincipals;
using Tessera.Directory.Consent;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Clients;
using Tessera.Server.Protocol.Resources;
using Tessera.Server.Protocol.Tokens;

namespace Tessera.Server.Consent;

/// <summary>One permission of a request, as the consent page shows it and the grant records it.</summary>
/// <param name="ResourceId">The API's app id (for OpenID Connect scopes, the tenant's sign-in resource).</param>
public sealed record RequestedScope(Guid ResourceId, string ResourceName, ScopeToConsent Permission, string Words, bool Granted);

/// <summary>What of a request is granted: its OpenID Connect scopes, and the API's scope values.</summary>
public sealed record GrantedScopes(IReadOnlyList<string> OpenIdScopes, IReadOnlyList<string> ApiScopes);

/// <summary>Who published the client, as the consent page shows it.</summary>
public sealed record ClientPublisher(string ClientName, Publisher Publisher, string? VerifiedName);

/// <summary>The outcome of checking an authorization request against the grants that cover the user.</summary>
/// <param name="GrantedApiScopes">The API's scopes a token may carry now: asked for and granted.</param>
/// <param name="Scopes">Every permission the request names (for <c>/.default</c>: those the client declares), granted or not.</param>
/// <param name="UserBlock">Why the user may not grant the missing permissions themselves (<see cref="ConsentBlock.None"/>: they may).</param>
/// <param name="CanGrantForEveryone">The user is an administrator who may consent for the whole tenant.</param>
public sealed record ConsentDecision(
    ResourceInfo? Resource,
    IReadOnlyList<string> GrantedApiScopes,
    IReadOnlyList<string> Roles,
    IReadOnlyList<RequestedScope> Scopes,
    ClientPublisher? Client,
    ConsentBlock UserBlock,
    bool CanGrantForEveryone,
    TesseraError? Error)
{
    public IReadOnlyList<RequestedScope> Missing => Scopes.Where(s => !s.Granted).ToList();
    public bool ConsentNeeded => Scopes.Any(s => !s.Granted);

    /// <summary>The user may approve what is missing: a user within the tenant's rule, or an administrator.</summary>
    public bool UserMayGrant => ConsentPolicy.MayApprove(UserBlock, CanGrantForEveryone);

    public static ConsentDecision Failed(TesseraError error) => new(null, [], [], [], null, ConsentBlock.None, false, error);
}

/// <summary>
/// Decides what a user token may carry. A client holds delegated permissions through grants (Graph's
/// <c>oAuth2PermissionGrant</c>): an administrator's for everyone, or the user's own. A request for more than is
/// granted needs consent; whether the user may give it is the tenant's consent policy (<see cref="ConsentPolicy"/>).
/// OpenID Connect scopes are permissions too, of the tenant's sign-in resource (its admin API, as Microsoft Graph
/// holds them in Entra ID), so that "users may not consent" also means "no new application without an administrator".
/// </summary>
public sealed class ConsentService(
    TesseraDbContext db,
    ResourceDirectory resources,
    ClientDirectory clients,
    PermissionGrants grants,
    AdminRoleLookup adminRoles,
    AuditLog audit,
    IMemoryCache cache,
    TimeProvider time)
{
    /// <summary>Added to the authorization request's return URL when the user declines.</summary>
    public const string DeniedMarker = "tsr_consent_denied";

    /// <summary>Added to the return URL when the user asked an administrator to approve instead.</summary>
    public const string AdminApprovalMarker = "tsr_consent_requested";

    public async Task<ConsentDecision> EvaluateAsync(Guid tenantId, DirectoryUser user, OpenIddictRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        var parsed = ScopeRequest.Parse(request.GetScopes());
        if (parsed.Error is not null)
        {
            return ConsentDecision.Failed(parsed.Error);
        }

        var client = await clients.FindInAsync(request.ClientId!, tenantId, cancellationToken);
        if (client is null)
        {
            return ConsentDecision.Failed(TesseraErrors.ClientNotInTenant);
        }

        if (await resources.AdmitUserAsync(client, user.Id, ProtocolStep.Authorization, cancellationToken) is { } notAssigned)
        {
            return ConsentDecision.Failed(notAssigned);
        }

        var registration = await db.Applications.AsNoTracking().FirstAsync(a => a.AppId == client.AppId, cancellationToken);
        var scopeRequest = parsed.Request!;
        ResourceInfo? resource = null;
        if (scopeRequest.Resource is { } identifier)
        {
            resource = await resources.FindAsync(tenantId, identifier, cancellationToken);
            if (resource is null)
            {
                return ConsentDecision.Failed(TesseraErrors.ResourceUnknown.With(identifier));
            }

            if (await resources.AdmitAsync(resource, user.Id, TokenSubject.User, ProtocolStep.Authorization, cancellationToken) is { } refused)
            {
                return ConsentDecision.Failed(refused);
            }

            var missing = scopeRequest.IsDefault ? null : scopeRequest.ResourceScopes.FirstOrDefault(s => !resource.EnabledScopeValues.Contains(s, StringComparer.Ordinal));
            if (missing is not null)
            {
                return ConsentDecision.Failed(TesseraErrors.ScopeNotExposed.With(identifier, missing));
            }
        }

        var signIn = await SignInResourceAsync(tenantId, cancellationToken);
        var consented = await grants.ForUserAsync(client.AppId, user.Id, [signIn.Id, .. resource is null ? Array.Empty<Guid>() : [resource.AppId]], cancellationToken);

        var scopes = scopeRequest.OpenIdScopes
            .Select(s => new RequestedScope(signIn.Id, signIn.Name, new ScopeToConsent(s, false, PermissionRisk.Low), OpenIdWords(s), consented.On(signIn.Id).Contains(s)))
            .ToList();
        IReadOnlyList<string> grantedApiScopes = [];
        IReadOnlyList<string> roles = [];
        if (resource is not null)
        {
            // '/.default' asks for what the client declares, once: with anything granted on the API already, the token
            // carries what is granted and nobody is asked again (as in Entra ID); prompt=consent shows it all.
            var granted = consented.On(resource.AppId);
            var wanted = !scopeRequest.IsDefault ? scopeRequest.ResourceScopes
                : granted.Count == 0 || request.HasPromptValue(OpenIddictConstants.PromptValues.Consent) ? DeclaredScopes(registration, resource)
                : [];
            scopes.AddRange(await DescribeAsync(resource, wanted, granted, cancellationToken));
            grantedApiScopes = TokenScopes(scopeRequest, resource, consented.On(resource.AppId));
            roles = await resources.AssignedRolesAsync(resource, user.Id, "User", cancellationToken);
        }

        var tenant = await db.Tenants.AsNoTracking().FirstAsync(t => t.Id == tenantId, cancellationToken);
        var publisher = new ClientPublisher(
            registration.DisplayName,
            new Publisher(registration.VerifiedPublisher is not null, registration.SignInAudience == SignInAudiences.MultiTenant),
            registration.VerifiedPublisher?.DisplayName);
        var block = ConsentPolicy.UserConsent(RuleOf(tenant), publisher.Publisher, scopes.Where(s => !s.Granted).Select(s => s.Permission));
        var isAdmin = (await adminRoles.PermissionsAsync(tenantId, user.Id, cancellationToken)).Contains(AdminPermissions.DelegatedPermissionGrantReadWriteAll);
        return new ConsentDecision(resource, grantedApiScopes, roles, scopes, publisher, block, isAdmin, null);
    }

    /// <summary>
    /// The scopes a token from a code, refresh token or device code may carry now: what was asked for, cut down to what
    /// is still granted. Null when nothing of it is granted any more (the user or an administrator revoked the consent).
    /// </summary>
    public async Task<GrantedScopes?> StillGrantedAsync(
        Guid tenantId, Guid clientId, Guid userId, ScopeRequest requested, ResourceInfo? resource, CancellationToken cancellationToken)
    {
        var granted = await GrantedAsync(tenantId, clientId, userId, requested, resource, cancellationToken);
        var revoked = (requested.OpenIdScopes.Count > 0 && granted.OpenIdScopes.Count == 0) ||
                      (!requested.IsDefault && requested.ResourceScopes.Count > 0 && granted.ApiScopes.Count == 0);
        return revoked ? null : granted;
    }

    /// <summary>
    /// What of <paramref name="requested"/> the grants give <paramref name="clientId"/> for the user now: the OpenID
    /// Connect scopes, and the API's scopes (for <c>/.default</c>, all granted). On-behalf-of asks this for the calling API.
    /// </summary>
    public async Task<GrantedScopes> GrantedAsync(
        Guid tenantId, Guid clientId, Guid userId, ScopeRequest requested, ResourceInfo? resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var signIn = await SignInResourceAsync(tenantId, cancellationToken);
        var consented = await grants.ForUserAsync(clientId, userId, [signIn.Id, .. resource is null ? Array.Empty<Guid>() : [resource.AppId]], cancellationToken);
        var openId = requested.OpenIdScopes.Where(consented.On(signIn.Id).Contains).ToList();
        var api = resource is null ? [] : TokenScopes(requested, resource, consented.On(resource.AppId));
        return new GrantedScopes(openId, api);
    }

    /// <summary>
    /// Records consent to what the request asks and is not yet granted: for the user, or with
    /// <paramref name="forEveryone"/> (administrators only) for every user of the tenant; audited as Entra ID's
    /// "Consent to application". Tracked only: the caller saves.
    /// </summary>
    public async Task<TesseraError?> GrantAsync(
        Guid tenantId, DirectoryUser user, OpenIddictRequest request, bool forEveryone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var decision = await EvaluateAsync(tenantId, user, request, cancellationToken);
        if (decision.Error is not null)
        {
            return decision.Error;
        }

        if (!decision.UserMayGrant || (forEveryone && !decision.CanGrantForEveryone))
        {
            return TesseraErrors.ConsentNeedsAdmin.With(ConsentPolicy.Explain(decision.UserBlock));
        }

        var clientId = Guid.Parse(request.ClientId!);
        var granting = decision.Scopes.Where(s => !s.Granted || forEveryone).ToList();
        if (granting.Count == 0)
        {
            return null;
        }

        await grants.EnsureServicePrincipalAsync(tenantId, clientId, cancellationToken);
        foreach (var resource in granting.GroupBy(s => s.ResourceId))
        {
            await grants.AddAsync(tenantId, clientId, resource.Key, forEveryone ? Guid.Empty : user.Id,
                resource.Select(s => s.Permission.Value), cancellationToken);
        }

        var permissions = string.Join(", ", granting.Select(s => $"{s.ResourceName}: {s.Permission.Value}"));
        await audit.RecordAsync(tenantId, user,
            "ApplicationManagement", "Consent to application",
            new AuditTarget(clientId.ToString(), "ServicePrincipal", decision.Client!.ClientName,
            [
                new ModifiedProperty("ConsentContext.IsAdminConsent", null, decision.CanGrantForEveryone.ToString()),
                new ModifiedProperty("ConsentContext.OnBehalfOfAll", null, forEveryone.ToString()),
                new ModifiedProperty("ConsentAction.Permissions", null, permissions),
            ]),
            cancellationToken);
        return null;
    }

    /// <summary>
    /// Asks administrators to approve what the user may not grant: one request per API, joined with the user's pending
    /// request for the same client and API. Tracked only: the caller saves.
    /// </summary>
    public async Task<TesseraError?> RequestApprovalAsync(
        Guid tenantId, DirectoryUser user, OpenIddictRequest request, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var decision = await EvaluateAsync(tenantId, user, request, cancellationToken);
        if (decision.Error is not null)
        {
            return decision.Error;
        }

        var clientId = Guid.Parse(request.ClientId!);
        foreach (var resource in decision.Missing.GroupBy(s => s.ResourceId))
        {
            var pending = await db.AdminConsentRequests.FirstOrDefaultAsync(
                r => r.ClientId == clientId && r.ResourceId == resource.Key && r.RequestedById == user.Id &&
                     r.Status == AdminConsentRequestStatuses.InProgress,
                cancellationToken);
            if (pending is null)
            {
                pending = new AdminConsentRequest
                {
                    Id = Guid.NewGuid(),
                    TenantId = tenantId,
                    ClientId = clientId,
                    ResourceId = resource.Key,
                    RequestedById = user.Id,
                    Scope = string.Empty,
                    Status = AdminConsentRequestStatuses.InProgress,
                    CreatedDateTime = time.GetUtcNow(),
                };
                db.AdminConsentRequests.Add(pending);
            }

            pending.Scope = string.Join(' ', pending.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Union(resource.Select(s => s.Permission.Value), StringComparer.Ordinal));
            pending.Reason = string.IsNullOrWhiteSpace(reason) ? pending.Reason : reason.Trim()[..Math.Min(reason.Trim().Length, 1024)];
            pending.ConcurrencyStamp = Guid.NewGuid();
        }

        return null;
    }

    /// <summary>
    /// Where OpenID Connect scopes are granted: the tenant's admin API (Tessera's Microsoft Graph). A tenant without one
    /// keeps them under its own id.
    /// </summary>
    public async Task<(Guid Id, string Name)> SignInResourceAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        // Read on every code redemption and refresh, and fixed for the tenant's life: cached.
        var key = "signin-resource:" + tenantId.ToString("N");
        if (!cache.TryGetValue(key, out (Guid Id, string Name) resource))
        {
            var api = await resources.FindAsync(tenantId, AdminPermissions.ApiIdentifier, cancellationToken);
            resource = api is null ? (tenantId, "Sign-in") : (api.AppId, api.DisplayName);
            cache.Set(key, resource, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10), Size = 1 });
        }

        return resource;
    }

    /// <summary>The tenant's consent setting as a rule; an unknown stored value is read as the safest rule.</summary>
    public static UserConsentRule RuleOf(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.UserConsentPolicy switch
        {
            UserConsentPolicies.LowRiskVerifiedPublishers => UserConsentRule.LowRiskTrustedPublishers,
            UserConsentPolicies.AllUserConsentable => UserConsentRule.AnyUserConsentable,
            _ => UserConsentRule.NoUserConsent,
        };
    }

    /// <summary>For <c>/.default</c>: everything granted; otherwise what was asked for and is granted. Disabled scopes never.</summary>
    private static List<string> TokenScopes(ScopeRequest request, ResourceInfo resource, IReadOnlySet<string> consented)
        => (request.IsDefault ? consented : request.ResourceScopes.Where(consented.Contains))
            .Where(s => resource.EnabledScopeValues.Contains(s, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>The delegated scopes the client declares it needs on the API (its <c>requiredResourceAccess</c>).</summary>
    private static List<string> DeclaredScopes(Application client, ResourceInfo resource)
    {
        var ids = client.RequiredResourceAccess
            .Where(r => r.ResourceAppId == resource.AppId)
            .SelectMany(r => r.ResourceAccess)
            .Where(a => a.Type == "Scope")
            .Select(a => a.Id)
            .ToHashSet();
        return resource.Scopes.Where(s => s.IsEnabled && ids.Contains(s.Id)).Select(s => s.Value).ToList();
    }

    private async Task<IEnumerable<RequestedScope>> DescribeAsync(
        ResourceInfo resource, IReadOnlyList<string> values, IReadOnlySet<string> consented, CancellationToken cancellationToken)
    {
        var ratings = await db.DelegatedPermissionClassifications.AsNoTracking()
            .Where(c => c.ResourceId == resource.AppId)
            .ToDictionaryAsync(c => c.PermissionId, c => c.Classification, cancellationToken);
        return values.Select(value =>
        {
            var scope = resource.Scopes.First(s => s.Value == value);
            var permission = new ScopeToConsent(value, scope.Type == "Admin", ConsentPolicy.ParseRisk(ratings.GetValueOrDefault(scope.Id)));
            var words = scope.UserConsentDisplayName ?? scope.AdminConsentDisplayName ?? $"Use {value} on {resource.DisplayName} for you";
            return new RequestedScope(resource.AppId, resource.DisplayName, permission, words, consented.Contains(value));
        });
    }


    private static string OpenIdWords(string scope) => scope switch
    {
        "openid" => "Sign you in",
        "profile" => "See your name and user name",
        "email" => "See your email address",
        "offline_access" => "Keep access to what you allow while you are not using it",
        _ => scope,
    };
}
