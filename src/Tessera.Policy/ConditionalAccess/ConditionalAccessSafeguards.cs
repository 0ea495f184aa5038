namespace Tessera.Policy.ConditionalAccess;

/// <summary>
/// Checks made before an enabled policy is saved, so that an administrator does not lock the tenant or themselves
/// out: one policy alone, as if enabled, against imagined or real sign-ins. Report-only and disabled policies enforce
/// nothing and are not checked.
/// </summary>
public static class ConditionalAccessSafeguards
{
    /// <summary>
    /// A break-glass warning when the policy would block or ask more of every administrator signing in to
    /// <paramref name="adminApplicationId"/> with a password only (none of them excluded by user, group or role);
    /// null when at least one would pass, or there is nobody to lock out.
    /// </summary>
    public static string? BreakGlassWarning(ConditionalAccessPolicy policy, IReadOnlyList<SignInConditions> administrators)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(administrators);
        if (policy.State != PolicyState.Enabled || administrators.Count == 0)
        {
            return null;
        }

        var empty = new HashSet<string>(StringComparer.Ordinal);
        var allCaught = administrators.All(admin => ConditionalAccessEngine.Evaluate([policy], [], empty, admin).Outcome != AccessOutcome.Granted);
        if (!allCaught)
        {
            return null;
        }

        var what = policy.Grant?.Block == true ? "blocks" : "asks for more from";
        return $"The policy '{policy.DisplayName}' {what} every one of the tenant's {administrators.Count} Global Administrator(s); none is excluded by user, group or role. " +
               "Exclude an emergency-access (break-glass) account or group, kept out of every policy and watched, so that a mistake cannot lock everyone out.";
    }

    /// <summary>
    /// The policy's result for the first of the caller's sign-ins (one per client app type it might use) that it would
    /// block or ask more of; null when it leaves all of them as they are.
    /// </summary>
    public static PolicyResult? LocksOut(
        ConditionalAccessPolicy policy,
        IReadOnlyList<NamedLocation> locations,
        IReadOnlySet<string> availableAuthenticationContexts,
        IReadOnlyList<SignInConditions> callerSignIns)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(callerSignIns);
        if (policy.State != PolicyState.Enabled)
        {
            return null;
        }

        foreach (var signIn in callerSignIns)
        {
            var decision = ConditionalAccessEngine.Evaluate([policy], locations, availableAuthenticationContexts, signIn);
            if (decision.Outcome != AccessOutcome.Granted)
            {
                return decision.Policies[0];
            }
        }

        return null;
    }

    /// <summary>The <c>amr</c> values that reach a built-in authentication strength, for "what if" given a strength.</summary>
    public static IReadOnlySet<string> MethodsReaching(AuthenticationStrength strength) => strength switch
    {
        AuthenticationStrength.PhishingResistantMfa => new HashSet<string>(["fido", "mfa"], StringComparer.Ordinal),
        AuthenticationStrength.PasswordlessMfa => new HashSet<string>(["mfa", "otp"], StringComparer.Ordinal),
        AuthenticationStrength.Mfa => new HashSet<string>(["pwd", "mfa"], StringComparer.Ordinal),
        _ => new HashSet<string>(["pwd"], StringComparer.Ordinal),
    };
}
