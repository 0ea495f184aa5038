using System.Security.Claims;
using OpenIddict.Abstractions;
using Tessera.Directory.Users;
using Tessera.Policy.Errors;
using Tessera.Policy.Scopes;
using Tessera.Policy.ServicePrincipals;
using Tessera.Server.Clients;
using Tessera.Server.Protocol.Resources;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Server.Protocol.Authorize;

/// <summary>The outcome of checking an authorization request against what the user has granted.</summary>
public sealed record ConsentDecision(
    ResourceInfo? Resource,
    IReadOnlyList<string> GrantedApiScopes,
    IReadOnlyList<string> Roles,
    bool ConsentNeeded,
    string? AuthorizationId,
    TesseraError? Error)
{
    public static ConsentDecision Failed(TesseraError error) => new(null, [], [], false, null, error);
}

/// <summary>
/// Resolves the API a request names, checks its scopes exist and that the user may use the application and the API
/// (service principals that require assignment), and finds the user's standing grant (a permanent OpenIddict
/// authorization) that covers them. Refresh tokens hang off that grant, so revoking it ends them.
/// </summary>
public sealed class ConsentService(
    ResourceDirectory resources,
    ClientDirectory clients,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations)
{
    /// <summary>Added to the authorization request's return URL when the user declines.</summary>
    public const string DeniedMarker = "tsr_consent_denied";

    public async Task<ConsentDecision> EvaluateAsync(Guid tenantId, DirectoryUser user, OpenIddictRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        var requested = request.GetScopes();
        var parsed = ScopeRequest.Parse(requested);
        if (parsed.Error is not null)
        {
            return ConsentDecision.Failed(parsed.Error);
        }

        var client = await clients.FindAsync(request.ClientId!, cancellationToken);
        if (client is null || client.TenantId != tenantId)
        {
            return ConsentDecision.Failed(TesseraErrors.ClientNotInTenant);
        }

        if (await resources.AdmitUserAsync(client, user.Id, ProtocolStep.Authorization, cancellationToken) is { } notAssigned)
        {
            return ConsentDecision.Failed(notAssigned);
        }

        ResourceInfo? resource = null;
        IReadOnlyList<string> apiScopes = [];
        IReadOnlyList<string> roles = [];
        if (parsed.Request!.Resource is { } identifier)
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

            var exposed = resource.EnabledScopeValues;
            if (!parsed.Request.IsDefault)
            {
                var missing = parsed.Request.ResourceScopes.FirstOrDefault(s => !exposed.Contains(s, StringComparer.Ordinal));
                if (missing is not null)
                {
                    return ConsentDecision.Failed(TesseraErrors.ScopeNotExposed.With(identifier, missing));
                }
            }

            apiScopes = parsed.Request.IsDefault ? exposed : parsed.Request.ResourceScopes;
            roles = await resources.AssignedRolesAsync(resource, user.Id, "User", cancellationToken);
        }

        var authorizationId = await FindGrantAsync(user, request.ClientId!, requested, cancellationToken);
        return new ConsentDecision(resource, apiScopes, roles, authorizationId is null, authorizationId, null);
    }

    /// <summary>Records the user's consent to every scope of the request.</summary>
    public async Task GrantAsync(DirectoryUser user, OpenIddictRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("The client vanished during consent.");
        var identity = new ClaimsIdentity("Tessera");
        identity.SetClaim(Claims.Subject, user.Id.ToString("D"));
        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(request.GetScopes());
        await authorizations.CreateAsync(principal, user.Id.ToString("D"), (await applications.GetIdAsync(application, cancellationToken))!,
            AuthorizationTypes.Permanent, request.GetScopes(), cancellationToken);
    }

    /// <summary>Whether the consent with this id still stands (not revoked).</summary>
    public async Task<bool> IsStandingAsync(string authorizationId, CancellationToken cancellationToken)
    {
        var authorization = await authorizations.FindByIdAsync(authorizationId, cancellationToken);
        return authorization is not null && await authorizations.HasStatusAsync(authorization, Statuses.Valid, cancellationToken);
    }

    private async Task<string?> FindGrantAsync(DirectoryUser user, string clientId, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            return null;
        }

        var applicationId = await applications.GetIdAsync(application, cancellationToken);
        await foreach (var authorization in authorizations.FindAsync(
            user.Id.ToString("D"), applicationId!, Statuses.Valid, AuthorizationTypes.Permanent, [.. scopes], cancellationToken))
        {
            return await authorizations.GetIdAsync(authorization, cancellationToken);
        }

        return null;
    }
}
