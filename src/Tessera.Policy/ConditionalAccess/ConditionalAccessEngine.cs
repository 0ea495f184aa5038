using System.Net;

namespace Tessera.Policy.ConditionalAccess;

/// <summary>
/// Evaluates every policy of a tenant for one sign-in or token request. A policy applies when all its conditions hold
/// (an exclusion always beats an inclusion); then a block blocks, and grant controls ask for an authentication
/// strength (MFA is the weakest); sign-in frequency asks for a fresh sign-in. Report-only policies are evaluated the
/// same way and reported, never enforced. Every applied or skipped policy says why.
/// </summary>
public static class ConditionalAccessEngine
{
    public static ConditionalAccessDecision Evaluate(
        IReadOnlyList<ConditionalAccessPolicy> policies,
        IReadOnlyList<NamedLocation> locations,
        IReadOnlySet<string> availableAuthenticationContexts,
        SignInConditions signIn)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(locations);
        ArgumentNullException.ThrowIfNull(availableAuthenticationContexts);
        ArgumentNullException.ThrowIfNull(signIn);

        var reached = AuthenticationStrengths.Reached(signIn.AuthenticationMethods);
        var results = new List<PolicyResult>(policies.Count);
        var blocked = false;
        var required = AuthenticationStrength.SingleFactor;
        var reauthenticate = false;
        var unsatisfiedContexts = new HashSet<string>(StringComparer.Ordinal);
        var bindings = new List<IReadOnlyList<IPNetwork>>();

        foreach (var policy in policies)
        {
            var explanation = new List<string>();
            if (policy.State == PolicyState.Disabled)
            {
                results.Add(new(policy.Id, policy.DisplayName, PolicyResultKind.NotEnabled, [], [], ["The policy is off."]));
                continue;
            }

            var reportOnly = policy.State == PolicyState.ReportOnly;
            if (!Applies(policy, locations, signIn, explanation))
            {
                var binding = StrictLocationBinding(policy, locations, signIn, explanation);
                if (binding is not null && !reportOnly)
                {
                    bindings.Add(binding);
                }

                results.Add(new(policy.Id, policy.DisplayName, reportOnly ? PolicyResultKind.ReportOnlyNotApplied : PolicyResultKind.NotApplied, [],
                    binding is null ? [] : [StrictLocationControl], explanation));
                continue;
            }

            var (satisfied, grantControls, strength) = Grant(policy.Grant, signIn, reached, explanation);
            var (fresh, sessionControls) = Frequency(policy.SignInFrequency, signIn, explanation);
            var succeeded = satisfied && fresh;
            results.Add(new(policy.Id, policy.DisplayName,
                (reportOnly, succeeded) switch
                {
                    (true, true) => PolicyResultKind.ReportOnlySuccess,
                    (true, false) => PolicyResultKind.ReportOnlyFailure,
                    (false, true) => PolicyResultKind.Success,
                    (false, false) => PolicyResultKind.Failure,
                },
                grantControls, sessionControls, explanation));
            if (reportOnly || succeeded)
            {
                continue;
            }

            blocked |= policy.Grant?.Block == true;
            required = strength > required ? strength : required;
            reauthenticate |= !fresh;
            foreach (var context in policy.Applications.IncludeAuthenticationContextClassReferences)
            {
                unsatisfiedContexts.Add(context);
            }
        }

        var outcome = blocked ? AccessOutcome.Blocked
            : required > reached || reauthenticate ? AccessOutcome.ControlsRequired
            : AccessOutcome.Granted;
        var contexts = outcome == AccessOutcome.Granted
            ? signIn.AuthenticationContexts.Where(c => availableAuthenticationContexts.Contains(c) && !unsatisfiedContexts.Contains(c)).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
        return new ConditionalAccessDecision(outcome, results, required, reauthenticate, contexts)
        {
            LocationBindings = outcome == AccessOutcome.Granted ? bindings : [],
        };
    }

    /// <summary>The session control's name in results (Graph's <c>enforcedSessionControls</c>).</summary>
    public const string StrictLocationControl = "continuousAccessEvaluation";

    /// <summary>
    /// For a policy in strict enforcement that stays out of this request only because its address is in an excluded
    /// location: the ranges of those excluded locations, where the token may be used (elsewhere the policy would apply).
    /// Null when the policy does not bind the token.
    /// </summary>
    private static IReadOnlyList<IPNetwork>? StrictLocationBinding(
        ConditionalAccessPolicy policy, IReadOnlyList<NamedLocation> locations, SignInConditions signIn, List<string> why)
    {
        if (policy.ContinuousAccessEvaluation != ContinuousAccessMode.StrictEnforcement || policy.Locations is not { } condition ||
            signIn.IpAddress is not { } ip)
        {
            return null;
        }

        var excluded = locations
            .Where(l => condition.ExcludeLocations.Any(e => e == PolicyLocations.AllTrusted ? l.IsTrusted : string.Equals(l.Id.ToString("D"), e, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var ignored = new List<string>();
        if (!excluded.Exists(l => l.Contains(ip)) ||
            !(Subject(policy, signIn, ignored) && Target(policy.Applications, signIn, ignored) && ClientApp(policy.ClientAppTypes, signIn, ignored) &&
              Risk("sign-in risk", policy.SignInRiskLevels, signIn.SignInRisk, ignored) && Risk("user risk", policy.UserRiskLevels, signIn.UserRisk, ignored)))
        {
            return null;
        }

        why.Add($"Session: strict location enforcement: the token works only from {string.Join(", ", excluded.Select(l => l.DisplayName))}.");
        return [.. excluded.SelectMany(l => l.Ranges).Distinct()];
    }

    private static bool Applies(ConditionalAccessPolicy policy, IReadOnlyList<NamedLocation> locations, SignInConditions signIn, List<string> why)
        => Subject(policy, signIn, why) &&
           Target(policy.Applications, signIn, why) &&
           ClientApp(policy.ClientAppTypes, signIn, why) &&
           Location(policy.Locations, locations, signIn, why) &&
           Risk("sign-in risk", policy.SignInRiskLevels, signIn.SignInRisk, why) &&
           Risk("user risk", policy.UserRiskLevels, signIn.UserRisk, why);

    /// <summary>A person against the user conditions, or an application against the client application conditions.</summary>
    private static bool Subject(ConditionalAccessPolicy policy, SignInConditions signIn, List<string> why)
    {
        if (signIn.IsWorkload)
        {
            var clients = policy.ClientApplications;
            if (clients is null || clients.IncludeServicePrincipals.Count == 0)
            {
                why.Add("Not applied: the policy is about people, and an application signs in as itself.");
                return false;
            }

            var appId = signIn.ServicePrincipalAppId?.ToString("D") ?? string.Empty;
            if (clients.ExcludeServicePrincipals.Contains(appId, StringComparer.OrdinalIgnoreCase))
            {
                why.Add("Not applied: the application is excluded.");
                return false;
            }

            if (!clients.IncludeServicePrincipals.Any(i => i == PolicyClientApplications.AllInTenant || string.Equals(i, appId, StringComparison.OrdinalIgnoreCase)))
            {
                why.Add("Not applied: the application is not among the service principals included.");
                return false;
            }

            why.Add("Service principal: included.");
            return true;
        }

        var users = policy.Users;
        if (policy.ClientApplications is { IncludeServicePrincipals.Count: > 0 } && users.IncludeUsers.Count == 0 && users.IncludeGroups.Count == 0 && users.IncludeRoles.Count == 0)
        {
            why.Add("Not applied: the policy is about workload identities, and a person signs in.");
            return false;
        }

        var userId = signIn.UserId!.Value.ToString("D");
        if (users.ExcludeUsers.Contains(userId, StringComparer.OrdinalIgnoreCase))
        {
            why.Add("Not applied: the user is excluded.");
            return false;
        }

        if (users.ExcludeGroups.FirstOrDefault(signIn.GroupIds.Contains) is var group && group != Guid.Empty)
        {
            why.Add($"Not applied: the user is in the excluded group {group:D}.");
            return false;
        }

        if (users.ExcludeRoles.FirstOrDefault(signIn.RoleTemplateIds.Contains) is var role && role != Guid.Empty)
        {
            why.Add($"Not applied: the user holds the excluded role {role:D}.");
            return false;
        }

        if (users.IncludeUsers.Contains(PolicyUsers.All, StringComparer.OrdinalIgnoreCase))
        {
            why.Add("Users: all users are included.");
            return true;
        }

        if (users.IncludeUsers.Contains(userId, StringComparer.OrdinalIgnoreCase))
        {
            why.Add("Users: the user is included.");
            return true;
        }

        if (users.IncludeGroups.FirstOrDefault(signIn.GroupIds.Contains) is var included && included != Guid.Empty)
        {
            why.Add($"Users: the user is in the included group {included:D}.");
            return true;
        }

        if (users.IncludeRoles.FirstOrDefault(signIn.RoleTemplateIds.Contains) is var held && held != Guid.Empty)
        {
            why.Add($"Users: the user holds the included role {held:D}.");
            return true;
        }

        why.Add("Not applied: the user is not included.");
        return false;
    }

    /// <summary>The application (or, for a policy on authentication contexts, one of the contexts asked for).</summary>
    private static bool Target(PolicyApplications applications, SignInConditions signIn, List<string> why)
    {
        if (applications.IncludeAuthenticationContextClassReferences.Count > 0)
        {
            var asked = applications.IncludeAuthenticationContextClassReferences.FirstOrDefault(signIn.AuthenticationContexts.Contains);
            if (asked is null)
            {
                why.Add("Not applied: none of its authentication contexts was asked for.");
                return false;
            }

            why.Add($"Authentication context {asked} was asked for.");
            return true;
        }

        var appId = signIn.ApplicationId?.ToString("D") ?? string.Empty;
        if (applications.ExcludeApplications.Contains(appId, StringComparer.OrdinalIgnoreCase))
        {
            why.Add("Not applied: the application is excluded.");
            return false;
        }

        if (applications.IncludeApplications.Contains(PolicyApplications.All, StringComparer.OrdinalIgnoreCase))
        {
            why.Add("Applications: all applications are included.");
            return true;
        }

        if (applications.IncludeApplications.Contains(appId, StringComparer.OrdinalIgnoreCase))
        {
            why.Add("Applications: the application is included.");
            return true;
        }

        why.Add("Not applied: the application is not included.");
        return false;
    }

    private static bool ClientApp(IReadOnlySet<ClientAppType> types, SignInConditions signIn, List<string> why)
    {
        if (types.Count == 0 || types.Contains(signIn.ClientApp))
        {
            return true;
        }

        why.Add($"Not applied: the client app type ({signIn.ClientApp}) is not among the policy's.");
        return false;
    }

    private static bool Location(PolicyLocations? condition, IReadOnlyList<NamedLocation> locations, SignInConditions signIn, List<string> why)
    {
        if (condition is null || condition.IncludeLocations.Count == 0)
        {
            return true;
        }

        var ip = signIn.IpAddress;
        var at = ip is null ? [] : locations.Where(l => l.Contains(ip)).ToList();
        bool Matches(string value) => value switch
        {
            PolicyLocations.All => true,
            PolicyLocations.AllTrusted => at.Exists(l => l.IsTrusted),
            _ => at.Exists(l => string.Equals(l.Id.ToString("D"), value, StringComparison.OrdinalIgnoreCase)),
        };

        var excluded = condition.ExcludeLocations.FirstOrDefault(Matches);
        if (excluded is not null)
        {
            why.Add($"Not applied: the sign-in comes from an excluded location ({Describe(excluded, at)}).");
            return false;
        }

        var included = condition.IncludeLocations.FirstOrDefault(Matches);
        if (included is null)
        {
            why.Add($"Not applied: the sign-in's address ({ip?.ToString() ?? "unknown"}) is in none of the included locations.");
            return false;
        }

        why.Add($"Locations: the sign-in comes from an included location ({Describe(included, at)}).");
        return true;
    }

    private static string Describe(string value, List<NamedLocation> at) => value switch
    {
        PolicyLocations.All => "any location",
        PolicyLocations.AllTrusted => "a trusted location",
        _ => at.Find(l => string.Equals(l.Id.ToString("D"), value, StringComparison.OrdinalIgnoreCase))?.DisplayName ?? value,
    };

    private static bool Risk(string name, IReadOnlySet<RiskLevel> levels, RiskLevel level, List<string> why)
    {
        if (levels.Count == 0 || levels.Contains(level))
        {
            return true;
        }

        why.Add($"Not applied: the {name} ({level}) is not among the policy's levels.");
        return false;
    }

    /// <summary>Whether the grant controls hold, their names, and the strength that would satisfy them.</summary>
    private static (bool Satisfied, IReadOnlyList<string> Controls, AuthenticationStrength Needed) Grant(
        GrantControls? grant, SignInConditions signIn, AuthenticationStrength reached, List<string> why)
    {
        if (grant is null)
        {
            return (true, [], AuthenticationStrength.SingleFactor);
        }

        if (grant.Block)
        {
            why.Add("Grant: access is blocked.");
            return (false, ["block"], AuthenticationStrength.SingleFactor);
        }

        var asked = new List<(string Name, AuthenticationStrength Strength)>();
        if (grant.Mfa)
        {
            asked.Add(("mfa", AuthenticationStrength.Mfa));
        }

        if (grant.Strength is { } strength)
        {
            asked.Add(("authenticationStrength", strength));
        }

        if (asked.Count == 0 || signIn.IsWorkload)
        {
            return (true, [], AuthenticationStrength.SingleFactor);
        }

        // Strengths are nested (phishing-resistant ⊂ passwordless ⊂ MFA): OR needs the weakest asked, AND the strongest.
        var needed = grant.RequireAll ? asked.Max(a => a.Strength) : asked.Min(a => a.Strength);
        var satisfied = reached >= needed;
        why.Add(satisfied
            ? $"Grant: {AuthenticationStrengths.DisplayName(needed)} is satisfied ({AuthenticationStrengths.DisplayName(reached)})."
            : $"Grant: {AuthenticationStrengths.DisplayName(needed)} is required; the sign-in reached {AuthenticationStrengths.DisplayName(reached)}.");
        return (satisfied, asked.Select(a => a.Name).ToList(), needed);
    }

    private static (bool Fresh, IReadOnlyList<string> Controls) Frequency(SignInFrequency? frequency, SignInConditions signIn, List<string> why)
    {
        if (frequency is null || signIn.IsWorkload)
        {
            return (true, []);
        }

        if (frequency.EveryTime)
        {
            // "Every time" is met by a sign-in made for this very request: within the last five minutes, as Entra allows.
            var fresh = signIn.AuthenticatedAt is { } at && signIn.Now - at <= TimeSpan.FromMinutes(5);
            why.Add(fresh ? "Session: signed in just now, as required every time." : "Session: a new sign-in is required every time.");
            return (fresh, ["signInFrequency"]);
        }

        if (frequency.Every is { } every)
        {
            var fresh = signIn.AuthenticatedAt is { } at && signIn.Now - at <= every;
            why.Add(fresh ? $"Session: signed in within {every}." : $"Session: the last sign-in is older than {every}; a new sign-in is required.");
            return (fresh, ["signInFrequency"]);
        }

        return (true, []);
    }
}
