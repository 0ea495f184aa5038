using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Policy.Errors;

namespace Tessera.Policy.ConditionalAccess;

/// <summary>
/// Microsoft Graph's <c>conditionalAccessPolicy</c> JSON to the engine's <see cref="ConditionalAccessPolicy"/> and
/// back. Reading validates the shape and Entra's rules; anything Tessera cannot evaluate or enforce (devices,
/// platforms, terms of use, most session controls, Exchange ActiveSync) is refused with a sentence instead of being
/// dropped. Whether the ids exist is the caller's check, against the directory (<see cref="References"/>).
/// </summary>
public static class ConditionalAccessDocuments
{
    public const string StateEnabled = "enabled";
    public const string StateDisabled = "disabled";
    public const string StateReportOnly = "enabledForReportingButNotEnforced";

    private const int MaximumValues = 1000;

    /// <summary>Properties the server sets; a body may carry them (a policy read and sent back), their values are not taken.</summary>
    public static readonly IReadOnlyList<string> ServerProperties = ["id", "createdDateTime", "modifiedDateTime", "templateId", "deletedDateTime"];

    private static readonly string[] TopLevel = ["displayName", "state", "conditions", "grantControls", "sessionControls", "description"];
    private static readonly string[] Unenforceable = ["platforms", "devices", "deviceStates", "insiderRiskLevels", "authenticationFlows", "servicePrincipalRiskLevels", "times", "agentIdRiskLevels"];
    private static readonly string[] UnenforceableSession = ["applicationEnforcedRestrictions", "cloudAppSecurity", "persistentBrowser", "secureSignInSession", "disableResilienceDefaults", "globalSecureAccessFilteringProfile", "tokenProtection"];

    /// <summary>A policy read from a Graph body, and the first rule it breaks.</summary>
    public static (ConditionalAccessPolicy? Policy, TesseraError? Error) Read(JsonObject json, Guid id)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return (ReadPolicy(json, id), null);
        }
        catch (DocumentException refused)
        {
            return (null, refused.Error);
        }
    }

    /// <summary>The policy as Graph shows it (without the server's id and times, which the API adds).</summary>
    public static JsonObject Write(ConditionalAccessPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var users = policy.Users;
        var apps = policy.Applications;
        return new JsonObject
        {
            ["displayName"] = policy.DisplayName,
            ["state"] = StateName(policy.State),
            ["conditions"] = new JsonObject
            {
                ["users"] = new JsonObject
                {
                    ["includeUsers"] = Strings(users.IncludeUsers),
                    ["excludeUsers"] = Strings(users.ExcludeUsers),
                    ["includeGroups"] = Strings(users.IncludeGroups.Select(Text)),
                    ["excludeGroups"] = Strings(users.ExcludeGroups.Select(Text)),
                    ["includeRoles"] = Strings(users.IncludeRoles.Select(Text)),
                    ["excludeRoles"] = Strings(users.ExcludeRoles.Select(Text)),
                },
                ["applications"] = new JsonObject
                {
                    ["includeApplications"] = Strings(apps.IncludeApplications),
                    ["excludeApplications"] = Strings(apps.ExcludeApplications),
                    ["includeAuthenticationContextClassReferences"] = Strings(apps.IncludeAuthenticationContextClassReferences),
                },
                ["clientApplications"] = policy.ClientApplications is { } clients
                    ? new JsonObject
                    {
                        ["includeServicePrincipals"] = Strings(clients.IncludeServicePrincipals),
                        ["excludeServicePrincipals"] = Strings(clients.ExcludeServicePrincipals),
                    }
                    : null,
                ["clientAppTypes"] = policy.ClientAppTypes.Count == 0
                    ? Strings(["all"])
                    : Strings(policy.ClientAppTypes.Order().Select(ClientAppName)),
                ["locations"] = policy.Locations is { } locations
                    ? new JsonObject
                    {
                        ["includeLocations"] = Strings(locations.IncludeLocations),
                        ["excludeLocations"] = Strings(locations.ExcludeLocations),
                    }
                    : null,
                ["signInRiskLevels"] = Strings(policy.SignInRiskLevels.Order().Select(RiskName)),
                ["userRiskLevels"] = Strings(policy.UserRiskLevels.Order().Select(RiskName)),
            },
            ["grantControls"] = WriteGrant(policy.Grant),
            ["sessionControls"] = WriteSession(policy),
        };
    }

    /// <summary>Every directory object the policy names by id, for the caller to check against the directory.</summary>
    public static PolicyReferences References(ConditionalAccessPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        static IEnumerable<Guid> Ids(IEnumerable<string> values) => values.Select(v => Guid.TryParse(v, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty);
        return new PolicyReferences(
            [.. Ids(policy.Users.IncludeUsers.Concat(policy.Users.ExcludeUsers)).Distinct()],
            [.. policy.Users.IncludeGroups.Concat(policy.Users.ExcludeGroups).Distinct()],
            [.. policy.Users.IncludeRoles.Concat(policy.Users.ExcludeRoles).Distinct()],
            [.. Ids(policy.Applications.IncludeApplications.Concat(policy.Applications.ExcludeApplications)
                .Concat(policy.ClientApplications?.IncludeServicePrincipals ?? [])
                .Concat(policy.ClientApplications?.ExcludeServicePrincipals ?? [])).Distinct()],
            [.. Ids((policy.Locations?.IncludeLocations ?? []).Concat(policy.Locations?.ExcludeLocations ?? [])).Distinct()],
            [.. policy.Applications.IncludeAuthenticationContextClassReferences.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Graph's state name of a policy state.</summary>
    public static string StateName(PolicyState state) => state switch
    {
        PolicyState.Disabled => StateDisabled,
        PolicyState.ReportOnly => StateReportOnly,
        _ => StateEnabled,
    };

    /// <summary>Whether <paramref name="value"/> is an authentication context id, <c>c1</c> to <c>c99</c>.</summary>
    public static bool IsAuthenticationContextId(string? value)
        => value is { Length: 2 or 3 } && value[0] == 'c' && value[1] != '0' && value.Skip(1).All(char.IsAsciiDigit) &&
           int.Parse(value.AsSpan(1), CultureInfo.InvariantCulture) is >= 1 and <= 99;

    public static string ClientAppName(ClientAppType type) => type switch
    {
        ClientAppType.Browser => "browser",
        ClientAppType.MobileAppsAndDesktopClients => "mobileAppsAndDesktopClients",
        _ => "other",
    };

    public static string RiskName(RiskLevel level) => level.ToString().ToLowerInvariant();

    /// <summary>A Graph client app type name, or null for one Tessera does not tell apart.</summary>
    public static ClientAppType? ParseClientApp(string? value) => value switch
    {
        "browser" => ClientAppType.Browser,
        "mobileAppsAndDesktopClients" => ClientAppType.MobileAppsAndDesktopClients,
        "other" => ClientAppType.Other,
        _ => null,
    };

    public static RiskLevel? ParseRisk(string? value) => value switch
    {
        "none" => RiskLevel.None,
        "low" => RiskLevel.Low,
        "medium" => RiskLevel.Medium,
        "high" => RiskLevel.High,
        _ => null,
    };

    private static ConditionalAccessPolicy ReadPolicy(JsonObject json, Guid id)
    {
        Known(json, "conditionalAccessPolicy", string.Empty, [.. TopLevel, .. ServerProperties]);
        if (json["description"] is not null)
        {
            throw Refuse(ConditionalAccessErrors.Shape.With("description", "null or left out (Graph does not use it; put what the policy does in displayName)"));
        }

        var displayName = OptionalText(json, "displayName", string.Empty);
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Length > 256)
        {
            throw Refuse(ConditionalAccessErrors.DisplayNameRequired);
        }

        var stateText = OptionalText(json, "state", string.Empty) ?? StateEnabled;
        var state = stateText switch
        {
            StateEnabled => PolicyState.Enabled,
            StateDisabled => PolicyState.Disabled,
            StateReportOnly => PolicyState.ReportOnly,
            _ => throw Refuse(ConditionalAccessErrors.StateUnknown.With(stateText)),
        };

        var conditions = json["conditions"] as JsonObject ?? throw Refuse(json["conditions"] is null
            ? ConditionalAccessErrors.ConditionRequired.With("users")
            : ConditionalAccessErrors.Shape.With("conditions", "an object"));
        Known(conditions, "conditionalAccessConditionSet", "conditions.",
            ["users", "applications", "clientApplications", "clientAppTypes", "locations", "signInRiskLevels", "userRiskLevels", .. Unenforceable]);
        foreach (var name in Unenforceable)
        {
            if (conditions[name] is JsonArray { Count: 0 } or null)
            {
                continue;
            }

            throw Refuse(ConditionalAccessErrors.ConditionUnenforceable.With(name));
        }

        var clients = ReadClientApplications(conditions);
        var users = ReadUsers(conditions, workload: clients is not null);
        var applications = ReadApplications(conditions);
        var clientApps = ReadClientAppTypes(conditions);
        var locations = ReadLocations(conditions);
        var signInRisk = ReadRisk(conditions, "signInRiskLevels");
        var userRisk = ReadRisk(conditions, "userRiskLevels");
        var grant = ReadGrant(json);
        var frequency = ReadSession(json);
        var continuousAccess = ReadContinuousAccess(json);
        if (continuousAccess == ContinuousAccessMode.StrictEnforcement && locations is not { ExcludeLocations.Count: > 0 })
        {
            throw Refuse(ConditionalAccessErrors.StrictEnforcementWithoutLocations);
        }

        if (grant is null && frequency is null)
        {
            throw Refuse(ConditionalAccessErrors.NoControls);
        }

        if (clients is not null && (grant is not { Block: true } || frequency is not null || continuousAccess != ContinuousAccessMode.Default))
        {
            throw Refuse(ConditionalAccessErrors.WorkloadGrant);
        }

        return new ConditionalAccessPolicy
        {
            Id = id,
            DisplayName = displayName,
            State = state,
            Users = users,
            Applications = applications,
            ClientApplications = clients,
            ClientAppTypes = clientApps,
            Locations = locations,
            SignInRiskLevels = signInRisk,
            UserRiskLevels = userRisk,
            Grant = grant,
            SignInFrequency = frequency,
            ContinuousAccessEvaluation = continuousAccess,
        };
    }

    private static PolicyUsers ReadUsers(JsonObject conditions, bool workload)
    {
        var users = conditions["users"] as JsonObject ?? throw Refuse(conditions["users"] is null
            ? ConditionalAccessErrors.ConditionRequired.With("users")
            : ConditionalAccessErrors.Shape.With("conditions.users", "an object"));
        Known(users, "conditionalAccessUsers", "conditions.users.",
            ["includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles", "includeGuestsOrExternalUsers", "excludeGuestsOrExternalUsers"]);
        foreach (var guests in new[] { "includeGuestsOrExternalUsers", "excludeGuestsOrExternalUsers" })
        {
            if (users[guests] is not null)
            {
                throw Refuse(ConditionalAccessErrors.UserValueInvalid.With(guests, users[guests]!.ToJsonString()));
            }
        }

        List<string> UserList(string name)
        {
            var values = Strings(users, "conditions.users", name);
            // Only people are excluded one by one: excluding All or None would make the policy void or say nothing.
            var special = name == "includeUsers" ? [PolicyUsers.All, PolicyUsers.None] : Array.Empty<string>();
            var bad = values.FirstOrDefault(v => !special.Contains(v, StringComparer.Ordinal) && !Guid.TryParse(v, out _));
            if (bad is not null)
            {
                throw Refuse(ConditionalAccessErrors.UserValueInvalid.With(name, bad));
            }

            return [.. values.Select(v => Guid.TryParse(v, out var g) ? g.ToString("D") : v).Distinct(StringComparer.Ordinal)];
        }

        var result = new PolicyUsers
        {
            IncludeUsers = UserList("includeUsers"),
            ExcludeUsers = UserList("excludeUsers"),
            IncludeGroups = Guids(users, "conditions.users", "includeGroups", "group object ids"),
            ExcludeGroups = Guids(users, "conditions.users", "excludeGroups", "group object ids"),
            IncludeRoles = Guids(users, "conditions.users", "includeRoles", "role template ids"),
            ExcludeRoles = Guids(users, "conditions.users", "excludeRoles", "role template ids"),
        };
        if (result.IncludeUsers.Count == 0 && result.IncludeGroups.Count == 0 && result.IncludeRoles.Count == 0)
        {
            throw Refuse(workload ? ConditionalAccessErrors.WorkloadUsers : ConditionalAccessErrors.UsersNotIncluded);
        }

        if ((result.IncludeUsers.Contains(PolicyUsers.None) || result.IncludeUsers.Contains(PolicyUsers.All)) && result.IncludeUsers.Count > 1)
        {
            throw Refuse(ConditionalAccessErrors.UserValueInvalid.With("includeUsers", string.Join(",", result.IncludeUsers)));
        }

        var onlyNone = result.IncludeUsers is [PolicyUsers.None] && result.IncludeGroups.Count == 0 && result.IncludeRoles.Count == 0 &&
                       result.ExcludeUsers.Count == 0 && result.ExcludeGroups.Count == 0 && result.ExcludeRoles.Count == 0;
        if (workload && !onlyNone)
        {
            throw Refuse(ConditionalAccessErrors.WorkloadUsers);
        }

        return result;
    }

    private static PolicyApplications ReadApplications(JsonObject conditions)
    {
        var apps = conditions["applications"] as JsonObject ?? throw Refuse(conditions["applications"] is null
            ? ConditionalAccessErrors.ConditionRequired.With("applications")
            : ConditionalAccessErrors.Shape.With("conditions.applications", "an object"));
        Known(apps, "conditionalAccessApplications", "conditions.applications.",
            ["includeApplications", "excludeApplications", "includeAuthenticationContextClassReferences", "includeUserActions", "applicationFilter", "globalSecureAccess", "networkAccess"]);
        foreach (var name in new[] { "includeUserActions", "applicationFilter", "globalSecureAccess", "networkAccess" })
        {
            if (apps[name] is not (null or JsonArray { Count: 0 }))
            {
                throw Refuse(ConditionalAccessErrors.ConditionUnenforceable.With("applications." + name));
            }
        }

        List<string> AppList(string name)
        {
            var values = Strings(apps, "conditions.applications", name);
            var special = name == "includeApplications" ? [PolicyApplications.All, PolicyApplications.None] : Array.Empty<string>();
            var bad = values.FirstOrDefault(v => !special.Contains(v, StringComparer.Ordinal) && !Guid.TryParse(v, out _));
            if (bad is not null)
            {
                throw Refuse(ConditionalAccessErrors.ApplicationValueInvalid.With(name, bad));
            }

            return [.. values.Select(v => Guid.TryParse(v, out var g) ? g.ToString("D") : v).Distinct(StringComparer.Ordinal)];
        }

        var include = AppList("includeApplications");
        var exclude = AppList("excludeApplications");
        var contexts = Strings(apps, "conditions.applications", "includeAuthenticationContextClassReferences");
        var badContext = contexts.FirstOrDefault(c => !IsAuthenticationContextId(c));
        if (badContext is not null)
        {
            throw Refuse(ConditionalAccessErrors.AuthenticationContextInvalid.With("conditions.applications.includeAuthenticationContextClassReferences", badContext));
        }

        if ((include.Count == 0) == (contexts.Count == 0) || (contexts.Count > 0 && exclude.Count > 0))
        {
            throw Refuse(ConditionalAccessErrors.ApplicationsNotIncluded);
        }

        return new PolicyApplications
        {
            IncludeApplications = include,
            ExcludeApplications = exclude,
            IncludeAuthenticationContextClassReferences = [.. contexts.Distinct(StringComparer.Ordinal)],
        };
    }

    private static PolicyClientApplications? ReadClientApplications(JsonObject conditions)
    {
        if (conditions["clientApplications"] is null)
        {
            return null;
        }

        var clients = conditions["clientApplications"] as JsonObject
            ?? throw Refuse(ConditionalAccessErrors.Shape.With("conditions.clientApplications", "an object or null"));
        Known(clients, "conditionalAccessClientApplications", "conditions.clientApplications.",
            ["includeServicePrincipals", "excludeServicePrincipals", "servicePrincipalFilter", "includeAgentIdServicePrincipals", "excludeAgentIdServicePrincipals", "agentIdServicePrincipalFilter"]);
        if (clients["servicePrincipalFilter"] is not null)
        {
            throw Refuse(ConditionalAccessErrors.ConditionUnenforceable.With("clientApplications.servicePrincipalFilter"));
        }

        List<string> List(string name)
        {
            var values = Strings(clients, "conditions.clientApplications", name);
            var bad = values.FirstOrDefault(v => !(name == "includeServicePrincipals" && v == PolicyClientApplications.AllInTenant) && !Guid.TryParse(v, out _));
            if (bad is not null)
            {
                throw Refuse(ConditionalAccessErrors.ServicePrincipalValueInvalid.With(name, bad));
            }

            return [.. values.Select(v => Guid.TryParse(v, out var g) ? g.ToString("D") : v).Distinct(StringComparer.Ordinal)];
        }

        var include = List("includeServicePrincipals");
        var exclude = List("excludeServicePrincipals");
        return include.Count == 0 && exclude.Count == 0 ? null : new PolicyClientApplications { IncludeServicePrincipals = include, ExcludeServicePrincipals = exclude };
    }

    private static HashSet<ClientAppType> ReadClientAppTypes(JsonObject conditions)
    {
        var values = Strings(conditions, "conditions", "clientAppTypes");
        var types = new HashSet<ClientAppType>();
        foreach (var value in values)
        {
            if (value == "all")
            {
                return [];
            }

            if (value == "exchangeActiveSync")
            {
                throw Refuse(ConditionalAccessErrors.ClientAppTypeUnseen);
            }

            types.Add(ParseClientApp(value) ?? throw Refuse(ConditionalAccessErrors.ClientAppTypeUnknown.With(value)));
        }

        // Naming every type Tessera tells apart is the same as "all".
        return types.Count == Enum.GetValues<ClientAppType>().Length ? [] : types;
    }

    private static PolicyLocations? ReadLocations(JsonObject conditions)
    {
        if (conditions["locations"] is null)
        {
            return null;
        }

        var locations = conditions["locations"] as JsonObject
            ?? throw Refuse(ConditionalAccessErrors.Shape.With("conditions.locations", "an object or null"));
        Known(locations, "conditionalAccessLocations", "conditions.locations.", ["includeLocations", "excludeLocations"]);

        List<string> List(string name)
        {
            var values = Strings(locations, "conditions.locations", name);
            var bad = values.FirstOrDefault(v => !(v == PolicyLocations.AllTrusted || (v == PolicyLocations.All && name == "includeLocations")) &&
                                                 !(Guid.TryParse(v, out var g) && g != Guid.Empty));
            if (bad is not null)
            {
                throw Refuse(ConditionalAccessErrors.LocationValueInvalid.With(name, bad));
            }

            return [.. values.Select(v => Guid.TryParse(v, out var g) ? g.ToString("D") : v).Distinct(StringComparer.Ordinal)];
        }

        var include = List("includeLocations");
        var exclude = List("excludeLocations");
        if (include.Count == 0 && exclude.Count > 0)
        {
            throw Refuse(ConditionalAccessErrors.LocationValueInvalid.With("includeLocations", "(empty)"));
        }

        return include.Count == 0 ? null : new PolicyLocations { IncludeLocations = include, ExcludeLocations = exclude };
    }

    private static HashSet<RiskLevel> ReadRisk(JsonObject conditions, string name)
    {
        var levels = new HashSet<RiskLevel>();
        foreach (var value in Strings(conditions, "conditions", name))
        {
            levels.Add(ParseRisk(value) ?? throw Refuse(ConditionalAccessErrors.RiskLevelUnknown.With(name, value)));
        }

        return levels;
    }

    private static GrantControls? ReadGrant(JsonObject json)
    {
        if (json["grantControls"] is null)
        {
            return null;
        }

        var grant = json["grantControls"] as JsonObject ?? throw Refuse(ConditionalAccessErrors.Shape.With("grantControls", "an object or null"));
        Known(grant, "conditionalAccessGrantControls", "grantControls.", ["operator", "builtInControls", "customAuthenticationFactors", "termsOfUse", "authenticationStrength"]);
        foreach (var name in new[] { "customAuthenticationFactors", "termsOfUse" })
        {
            if (grant[name] is not (null or JsonArray { Count: 0 }))
            {
                throw Refuse(ConditionalAccessErrors.ControlUnenforceable.With("grantControls." + name));
            }
        }

        var operatorText = OptionalText(grant, "operator", "grantControls.") ?? "OR";
        var requireAll = operatorText switch
        {
            "OR" => false,
            "AND" => true,
            _ => throw Refuse(ConditionalAccessErrors.GrantOperatorUnknown.With(operatorText)),
        };

        bool block = false, mfa = false;
        foreach (var control in Strings(grant, "grantControls", "builtInControls"))
        {
            switch (control)
            {
                case "block": block = true; break;
                case "mfa": mfa = true; break;
                default: throw Refuse(ConditionalAccessErrors.BuiltInControlUnknown.With(control));
            }
        }

        AuthenticationStrength? strength = null;
        if (grant["authenticationStrength"] is not null)
        {
            var strengthObject = grant["authenticationStrength"] as JsonObject
                ?? throw Refuse(ConditionalAccessErrors.Shape.With("grantControls.authenticationStrength", "an object with the id of an authentication strength, or null"));
            var idText = OptionalText(strengthObject, "id", "grantControls.authenticationStrength.");
            strength = Guid.TryParse(idText, out var strengthId) ? AuthenticationStrengths.Of(strengthId) : null;
            if (strength is null)
            {
                throw Refuse(ConditionalAccessErrors.AuthenticationStrengthUnknown.With(idText ?? "(none)",
                    AuthenticationStrengths.Mfa, AuthenticationStrengths.PasswordlessMfa, AuthenticationStrengths.PhishingResistantMfa));
            }
        }

        if (block && (mfa || strength is not null))
        {
            throw Refuse(ConditionalAccessErrors.BlockCombined);
        }

        if (!block && !mfa && strength is null)
        {
            throw Refuse(ConditionalAccessErrors.GrantEmpty);
        }

        return new GrantControls { Block = block, Mfa = mfa, Strength = strength, RequireAll = requireAll };
    }

    /// <summary>Graph's <c>continuousAccessEvaluationSessionControl</c>: <c>{"mode": "strictEnforcement" | "disabled"}</c>, or null.</summary>
    private static ContinuousAccessMode ReadContinuousAccess(JsonObject json)
    {
        if (json["sessionControls"] is not JsonObject session || session["continuousAccessEvaluation"] is null)
        {
            return ContinuousAccessMode.Default;
        }

        var control = session["continuousAccessEvaluation"] as JsonObject
            ?? throw Refuse(ConditionalAccessErrors.Shape.With("sessionControls.continuousAccessEvaluation", "an object or null"));
        Known(control, "continuousAccessEvaluationSessionControl", "sessionControls.continuousAccessEvaluation.", ["mode"]);
        var mode = OptionalText(control, "mode", "sessionControls.continuousAccessEvaluation.");
        return mode switch
        {
            "strictEnforcement" => ContinuousAccessMode.StrictEnforcement,
            "disabled" => ContinuousAccessMode.Disabled,
            _ => throw Refuse(ConditionalAccessErrors.ContinuousAccessModeInvalid.With(mode ?? "(none)")),
        };
    }

    private static SignInFrequency? ReadSession(JsonObject json)
    {
        if (json["sessionControls"] is null)
        {
            return null;
        }

        var session = json["sessionControls"] as JsonObject ?? throw Refuse(ConditionalAccessErrors.Shape.With("sessionControls", "an object or null"));
        Known(session, "conditionalAccessSessionControls", "sessionControls.", ["signInFrequency", "continuousAccessEvaluation", .. UnenforceableSession]);
        foreach (var name in UnenforceableSession)
        {
            var off = session[name] switch
            {
                null => true,
                JsonValue value => value.GetValueKind() == JsonValueKind.False,
                JsonObject control => control["isEnabled"] is JsonValue isEnabled && isEnabled.GetValueKind() == JsonValueKind.False,
                _ => false,
            };
            if (!off)
            {
                throw Refuse(ConditionalAccessErrors.ControlUnenforceable.With("sessionControls." + name));
            }
        }

        if (session["signInFrequency"] is null)
        {
            return null;
        }

        var frequency = session["signInFrequency"] as JsonObject
            ?? throw Refuse(ConditionalAccessErrors.Shape.With("sessionControls.signInFrequency", "an object or null"));
        Known(frequency, "signInFrequencySessionControl", "sessionControls.signInFrequency.", ["isEnabled", "value", "type", "frequencyInterval", "authenticationType"]);
        if (frequency["isEnabled"] is not JsonValue enabled || enabled.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw Refuse(ConditionalAccessErrors.SignInFrequencyInvalid.With("isEnabled is required, true or false."));
        }

        if (!enabled.GetValue<bool>())
        {
            return null;
        }

        var authenticationType = OptionalText(frequency, "authenticationType", "sessionControls.signInFrequency.") ?? "primaryAndSecondaryAuthentication";
        if (authenticationType != "primaryAndSecondaryAuthentication")
        {
            throw Refuse(ConditionalAccessErrors.SignInFrequencyInvalid.With(
                $"authenticationType '{authenticationType}' is not supported; Tessera asks for the whole sign-in again (primaryAndSecondaryAuthentication)."));
        }

        var interval = OptionalText(frequency, "frequencyInterval", "sessionControls.signInFrequency.") ?? "timeBased";
        var type = OptionalText(frequency, "type", "sessionControls.signInFrequency.");
        int? amount = frequency["value"] switch
        {
            null => null,
            JsonValue number when number.GetValueKind() == JsonValueKind.Number && number.TryGetValue<int>(out var whole) => whole,
            _ => throw Refuse(ConditionalAccessErrors.SignInFrequencyInvalid.With("value must be a whole number.")),
        };
        if (interval == "everyTime")
        {
            if (amount is not null || type is not null)
            {
                throw Refuse(ConditionalAccessErrors.SignInFrequencyInvalid.With("with frequencyInterval everyTime, send value and type null."));
            }

            return new SignInFrequency { EveryTime = true };
        }

        if (interval != "timeBased")
        {
            throw Refuse(ConditionalAccessErrors.SignInFrequencyInvalid.With($"frequencyInterval '{interval}' must be timeBased or everyTime."));
        }

        return (type, amount) switch
        {
            ("hours", >= 1 and <= 23) => new SignInFrequency { Every = TimeSpan.FromHours(amount.Value) },
            ("days", >= 1 and <= 365) => new SignInFrequency { Every = TimeSpan.FromDays(amount.Value) },
            _ => throw Refuse(ConditionalAccessErrors.SignInFrequencyInvalid.With("a time-based frequency needs type hours with value 1 to 23, or type days with value 1 to 365.")),
        };
    }

    private static JsonObject? WriteSession(ConditionalAccessPolicy policy)
    {
        if (policy.SignInFrequency is null && policy.ContinuousAccessEvaluation == ContinuousAccessMode.Default)
        {
            return null;
        }

        var session = new JsonObject();
        if (policy.SignInFrequency is { } frequency)
        {
            session["signInFrequency"] = WriteFrequency(frequency);
        }

        if (policy.ContinuousAccessEvaluation != ContinuousAccessMode.Default)
        {
            session["continuousAccessEvaluation"] = new JsonObject
            {
                ["mode"] = policy.ContinuousAccessEvaluation == ContinuousAccessMode.StrictEnforcement ? "strictEnforcement" : "disabled",
            };
        }

        return session;
    }

    private static JsonObject? WriteGrant(GrantControls? grant)
    {
        if (grant is null)
        {
            return null;
        }

        var controls = new List<string>();
        if (grant.Block)
        {
            controls.Add("block");
        }

        if (grant.Mfa)
        {
            controls.Add("mfa");
        }

        return new JsonObject
        {
            ["operator"] = grant.RequireAll ? "AND" : "OR",
            ["builtInControls"] = Strings(controls),
            ["customAuthenticationFactors"] = new JsonArray(),
            ["termsOfUse"] = new JsonArray(),
            ["authenticationStrength"] = grant.Strength is { } strength
                ? new JsonObject
                {
                    ["id"] = AuthenticationStrengths.IdOf(strength).ToString("D"),
                    ["displayName"] = AuthenticationStrengths.DisplayName(strength),
                }
                : null,
        };
    }

    private static JsonObject WriteFrequency(SignInFrequency frequency)
    {
        if (frequency.EveryTime || frequency.Every is null)
        {
            return new JsonObject
            {
                ["isEnabled"] = true,
                ["value"] = null,
                ["type"] = null,
                ["frequencyInterval"] = "everyTime",
                ["authenticationType"] = "primaryAndSecondaryAuthentication",
            };
        }

        var every = frequency.Every.Value;
        var days = every.Ticks % TimeSpan.TicksPerDay == 0;
        return new JsonObject
        {
            ["isEnabled"] = true,
            ["value"] = days ? (int)every.TotalDays : (int)every.TotalHours,
            ["type"] = days ? "days" : "hours",
            ["frequencyInterval"] = "timeBased",
            ["authenticationType"] = "primaryAndSecondaryAuthentication",
        };
    }

    private static void Known(JsonObject json, string type, string prefix, IReadOnlyCollection<string> known)
    {
        var unknown = json.Select(p => p.Key).FirstOrDefault(name => !name.StartsWith('@') && !name.Contains('@', StringComparison.Ordinal) && !known.Contains(name));
        if (unknown is not null)
        {
            throw Refuse(ConditionalAccessErrors.PropertyUnknown.With(prefix + unknown, type));
        }
    }

    private static string? OptionalText(JsonObject json, string name, string prefix)
    {
        var node = json[name];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String || value.GetValue<string>().Contains('\0', StringComparison.Ordinal))
        {
            throw Refuse(ConditionalAccessErrors.Shape.With(prefix + name, "text"));
        }

        return value.GetValue<string>();
    }

    private static List<string> Strings(JsonObject json, string prefix, string name)
    {
        var node = json[name];
        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray array || array.Any(item => item is not JsonValue value || value.GetValueKind() != JsonValueKind.String))
        {
            throw Refuse(ConditionalAccessErrors.Shape.With($"{prefix}.{name}", "an array of strings"));
        }

        if (array.Count > MaximumValues)
        {
            throw Refuse(ConditionalAccessErrors.TooMany.With($"{prefix}.{name}", array.Count, MaximumValues));
        }

        return [.. array.Select(item => item!.GetValue<string>())];
    }

    private static List<Guid> Guids(JsonObject json, string prefix, string name, string what)
    {
        var values = Strings(json, prefix, name);
        var ids = new List<Guid>(values.Count);
        foreach (var value in values)
        {
            if (!Guid.TryParse(value, out var id))
            {
                throw Refuse(ConditionalAccessErrors.Shape.With($"{prefix}.{name}", "an array of " + what + " (GUIDs), not '" + value + "'"));
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static string Text(Guid id) => id.ToString("D");

    private static DocumentException Refuse(TesseraError error) => new(error);

    /// <summary>Unwinds the reader at the first broken rule; never leaves <see cref="Read"/>.</summary>
    private sealed class DocumentException(TesseraError error) : Exception(error.Description)
    {
        public TesseraError Error { get; } = error;
    }
}

/// <summary>The directory objects a policy names by id: each must exist in the tenant.</summary>
public sealed record PolicyReferences(
    IReadOnlyList<Guid> Users,
    IReadOnlyList<Guid> Groups,
    IReadOnlyList<Guid> RoleTemplates,
    IReadOnlyList<Guid> Applications,
    IReadOnlyList<Guid> NamedLocations,
    IReadOnlyList<string> AuthenticationContexts);
