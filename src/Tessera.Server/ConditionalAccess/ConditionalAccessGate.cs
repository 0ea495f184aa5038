using System.Net;
using Microsoft.Extensions.Options;
using Tessera.Directory.Storage;
using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.SignIns;
using Tessera.Server.Hosting;
using SignInStrength = Tessera.Policy.Authentication.AuthenticationStrength;

namespace Tessera.Server.ConditionalAccess;

/// <summary>
/// Conditional Access where tokens are issued: builds the <see cref="SignInConditions"/> of a person's sign-in or an
/// application's token request from what the endpoint knows, adds the directory facts, and asks the engine.
/// The endpoints turn the decision into their protocol's answer.
/// </summary>
public sealed class ConditionalAccessGate(
    TenantPolicies tenantPolicies, IServiceScopeFactory scopes, TimeProvider time, IOptionsMonitor<TesseraOptions> options)
{
    /// <summary>
    /// A person's sign-in (authorize, refresh, device code) to <paramref name="applicationId"/> through a client of kind
    /// <paramref name="clientApp"/> (see <see cref="ClientApps"/>).
    /// </summary>
    public async Task<ConditionalAccessDecision> ForUserAsync(
        Guid tenantId, Guid userId, Guid applicationId, ClientAppType clientApp, IPAddress? ip, IEnumerable<string> methods,
        DateTimeOffset? authenticatedAt, IReadOnlySet<string> authenticationContexts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(authenticationContexts);
        var signIn = new SignInConditions
        {
            UserId = userId,
            ApplicationId = applicationId,
            ClientApp = clientApp,
            IpAddress = ClientAddress.Normalize(ip),
            AuthenticationMethods = methods.ToHashSet(StringComparer.Ordinal),
            AuthenticatedAt = authenticatedAt,
            AuthenticationContexts = authenticationContexts,
            Now = time.GetUtcNow(),
        };
        return await EvaluateAsync(tenantId, signIn, cancellationToken);
    }

    /// <summary>An application signing in as itself (client credentials) for <paramref name="resourceAppId"/>.</summary>
    public async Task<ConditionalAccessDecision> ForWorkloadAsync(
        Guid tenantId, Guid clientAppId, Guid resourceAppId, IPAddress? ip, CancellationToken cancellationToken)
    {
        var signIn = new SignInConditions
        {
            ServicePrincipalAppId = clientAppId,
            ApplicationId = resourceAppId,
            ClientApp = ClientAppType.Other,
            IpAddress = ClientAddress.Normalize(ip),
            Now = time.GetUtcNow(),
        };
        return await EvaluateAsync(tenantId, signIn, cancellationToken);
    }

    /// <summary>The sign-in strength (as the sign-in pages know it) that satisfies <paramref name="decision"/>'s grant controls.</summary>
    public static SignInStrength SignInStrengthOf(ConditionalAccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.RequiredStrength switch
        {
            AuthenticationStrength.PhishingResistantMfa => SignInStrength.PhishingResistantMfa,
            AuthenticationStrength.PasswordlessMfa => SignInStrength.PasswordlessMfa,
            AuthenticationStrength.Mfa => SignInStrength.Mfa,
            _ => SignInStrength.Password,
        };
    }

    /// <summary>The enforced policies that failed, by name, for an error sentence.</summary>
    public static string FailedPolicyNames(ConditionalAccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var names = decision.Failed.Select(p => $"'{p.DisplayName}'").ToList();
        return names.Count == 0 ? "(none named)" : string.Join(", ", names);
    }

    /// <summary>What a controls-required decision asks for, in words.</summary>
    public static string Demand(ConditionalAccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var strength = decision.RequiredStrength > AuthenticationStrength.SingleFactor
            ? AuthenticationStrengths.DisplayName(decision.RequiredStrength).ToLowerInvariant()
            : null;
        return (strength, decision.ReauthenticationRequired) switch
        {
            ({ } s, true) => s + " and a fresh sign-in",
            ({ } s, false) => s,
            _ => "a fresh sign-in",
        };
    }

    private async Task<ConditionalAccessDecision> EvaluateAsync(Guid tenantId, SignInConditions signIn, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var tenant = await tenantPolicies.ForTenantAsync(db, tenantId, cancellationToken);

        // No policy: nothing to read about the user; the contexts asked for are satisfied if the tenant offers them.
        if (tenant.Policies.Count > 0)
        {
            signIn = await TenantPolicies.WithDirectoryAsync(db, tenantId, signIn, cancellationToken);
        }

        if (tenant.UsesRisk)
        {
            signIn = await TenantPolicies.WithRiskAsync(db, tenantId, signIn, options.CurrentValue.SignInProtection.SprayBlockDuration, cancellationToken);
        }

        return tenant.Evaluate(signIn);
    }
}
