using System.Globalization;
using System.Text.Json.Nodes;

namespace Tessera.Policy.Posture;

/// <summary>
/// Reads the registrations to assess from what people export: Microsoft Graph's <c>applications</c> (a
/// <c>{"value": [...]}</c> page as <c>GET /v1.0/applications</c> returns it, a bare array as <c>az ad app list</c> prints
/// it, or one application; with <c>owners</c> and <c>federatedIdentityCredentials</c> when expanded), or a Keycloak realm
/// export (<c>{"realm": ..., "clients": [...]}</c>, Keycloak's own clients left out).
/// </summary>
public static class RegistrationExports
{
    private static readonly HashSet<string> KeycloakBuiltInClients = new(StringComparer.Ordinal)
    {
        "account", "account-console", "admin-cli", "broker", "realm-management", "security-admin-console",
    };

    /// <summary>The registrations in <paramref name="document"/>, or the reason it is not an export this reads.</summary>
    public static (IReadOnlyList<AppRegistration> Apps, string? Error) Read(JsonNode? document)
    {
        switch (document)
        {
            case JsonObject keycloak when keycloak["clients"] is JsonArray clients && keycloak["realm"] is not null:
                return (clients.OfType<JsonObject>().Where(c => !KeycloakBuiltInClients.Contains(Text(c["clientId"]) ?? "")).Select(FromKeycloak).ToList(), null);
            case JsonObject page when page["value"] is JsonArray value:
                return FromGraph(value);
            case JsonArray array:
                return FromGraph(array);
            case JsonObject single when single["appId"] is not null:
                return FromGraph(new JsonArray(single.DeepClone()));
            default:
                return ([], "The input is not an export this reads: expected Microsoft Graph applications ({\"value\": [...]} or an array, as 'GET /v1.0/applications' or 'az ad app list' gives them) or a Keycloak realm export ({\"realm\": ..., \"clients\": [...]}).");
        }
    }

    private static (IReadOnlyList<AppRegistration>, string?) FromGraph(JsonArray items)
    {
        var apps = new List<AppRegistration>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject app || Text(app["appId"]) is not { Length: > 0 } appId)
            {
                return ([], $"Item {i} is not an application: every item needs an appId.");
            }

            var web = app["web"] as JsonObject;
            var implicitGrant = web?["implicitGrantSettings"] as JsonObject;
            var api = app["api"] as JsonObject;
            apps.Add(new AppRegistration
            {
                AppId = appId,
                DisplayName = Text(app["displayName"]) ?? appId,
                SignInAudience = Text(app["signInAudience"]) ?? "AzureADMyOrg",
                WebRedirectUris = Texts(web?["redirectUris"]),
                SpaRedirectUris = Texts(app["spa"]?["redirectUris"]),
                PublicClientRedirectUris = Texts(app["publicClient"]?["redirectUris"]),
                ImplicitAccessTokens = Flag(implicitGrant?["enableAccessTokenIssuance"]),
                ImplicitIdTokens = Flag(implicitGrant?["enableIdTokenIssuance"]),
                IsFallbackPublicClient = Flag(app["isFallbackPublicClient"]),
                Secrets = Credentials(app["passwordCredentials"]),
                Certificates = Credentials(app["keyCredentials"]),
                FederatedCredentials = (app["federatedIdentityCredentials"] as JsonArray)?.Count ?? 0,
                Owners = app["owners"] is JsonArray owners
                    ? [.. owners.OfType<JsonObject>().Select(o => Text(o["userPrincipalName"]) ?? Text(o["displayName"]) ?? Text(o["id"]) ?? "?")]
                    : null,
                RequiredResourceAccess = [.. (app["requiredResourceAccess"] as JsonArray ?? []).OfType<JsonObject>()
                    .SelectMany(r => (r["resourceAccess"] as JsonArray ?? []).OfType<JsonObject>()
                        .Select(a => new PermissionRequest(Text(r["resourceAppId"]) ?? "", Text(a["id"]) ?? "", Text(a["type"]) ?? "Scope")))],
                IdentifierUris = Texts(app["identifierUris"]),
                ExposedScopes = [.. (api?["oauth2PermissionScopes"] as JsonArray ?? []).OfType<JsonObject>().Select(s => Text(s["value"])).OfType<string>()],
                AppRoles = [.. (app["appRoles"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(r => new ExposedAppRole(Text(r["value"]) ?? "", Texts(r["allowedMemberTypes"])))],
                RequestedAccessTokenVersion = api?["requestedAccessTokenVersion"] is JsonValue version && version.TryGetValue<int>(out var number) ? number : null,
                VerifiedPublisherId = Text(app["verifiedPublisher"]?["verifiedPublisherId"]),
                CreatedDateTime = Date(app["createdDateTime"]),
            });
        }

        return (apps, null);
    }

    /// <summary>
    /// A Keycloak client, in Graph's terms: a confidential client's secret is a secret without expiry (a signed JWT or
    /// X.509 client keeps its key elsewhere, so nothing is known of it), a public client's redirect URIs are native
    /// ones, the password grant is "direct access grants".
    /// </summary>
    private static AppRegistration FromKeycloak(JsonObject client)
    {
        var clientId = Text(client["clientId"]) ?? "";
        var isPublic = Flag(client["publicClient"]);
        var usesSecret = !isPublic && !Flag(client["bearerOnly"]) && (Text(client["clientAuthenticatorType"]) ?? "client-secret") == "client-secret";
        var redirects = Texts(client["redirectUris"]);
        return new AppRegistration
        {
            AppId = clientId,
            DisplayName = Text(client["name"]) is { Length: > 0 } name ? name : clientId,
            WebRedirectUris = isPublic ? [] : redirects,
            PublicClientRedirectUris = isPublic ? redirects : [],
            ImplicitAccessTokens = Flag(client["implicitFlowEnabled"]),
            PasswordGrant = Flag(client["directAccessGrantsEnabled"]),
            Secrets = usesSecret ? [new AppCredential("client secret", null, null)] : [],
        };
    }

    /// <summary>
    /// Which Microsoft Graph list <paramref name="document"/> is: service principals (<c>GET /v1.0/servicePrincipals</c>,
    /// <c>az ad sp list</c>), delegated permission grants (<c>GET /v1.0/oauth2PermissionGrants</c>), or else registrations.
    /// Told by its <c>@odata.context</c>, or by the first item's shape when there is none.
    /// </summary>
    public static ExportKind KindOf(JsonNode? document)
    {
        var context = document is JsonObject page ? Text(page["@odata.context"]) ?? "" : "";
        var first = Items(document)?.OfType<JsonObject>().FirstOrDefault();
        return context.Contains("#servicePrincipals", StringComparison.OrdinalIgnoreCase) || first?["servicePrincipalType"] is not null ? ExportKind.ServicePrincipals
            : context.Contains("#oauth2PermissionGrants", StringComparison.OrdinalIgnoreCase) || first?["consentType"] is not null ? ExportKind.PermissionGrants
            : ExportKind.Registrations;
    }

    /// <summary>The items of a service principals export, or the reason it is not one.</summary>
    public static (IReadOnlyList<JsonObject> Items, string? Error) ReadServicePrincipals(JsonNode? document)
        => ReadList(document, "service principals", "'GET /v1.0/servicePrincipals' or 'az ad sp list --all'", ["id", "appId"]);

    /// <summary>The items of a delegated permission grants export, or the reason it is not one.</summary>
    public static (IReadOnlyList<JsonObject> Items, string? Error) ReadPermissionGrants(JsonNode? document)
        => ReadList(document, "delegated permission grants", "'GET /v1.0/oauth2PermissionGrants'", ["clientId", "consentType", "resourceId"]);

    /// <summary>
    /// The registrations with their service principals in the tenant, and people's own consents (the
    /// <c>Principal</c> grants) on them; service principals of applications registered elsewhere become registrations
    /// of their own, marked <see cref="AppRegistration.RegisteredElsewhere"/>. Grants name their client and API by the
    /// service principal's object id, so every client must be among <paramref name="servicePrincipals"/>.
    /// </summary>
    public static (IReadOnlyList<AppRegistration> Apps, string? Error) WithServicePrincipals(
        IReadOnlyList<AppRegistration> apps, IReadOnlyList<JsonObject> servicePrincipals, IReadOnlyList<JsonObject> grants)
    {
        ArgumentNullException.ThrowIfNull(apps);
        ArgumentNullException.ThrowIfNull(servicePrincipals);
        ArgumentNullException.ThrowIfNull(grants);
        // Items without ids cannot be named by a grant nor matched to a registration (ReadServicePrincipals refuses them).
        var byId = new Dictionary<string, (string AppId, JsonObject Item)>(StringComparer.OrdinalIgnoreCase);
        foreach (var principal in servicePrincipals)
        {
            if (Text(principal["id"]) is { } id && Text(principal["appId"]) is { } appId)
            {
                byId[id] = (appId, principal);
            }
        }

        var consents = new Dictionary<string, List<UserConsent>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < grants.Count; i++)
        {
            var grant = grants[i];
            if (!string.Equals(Text(grant["consentType"]), "Principal", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var clientId = Text(grant["clientId"]) ?? "(none)";
            if (!byId.TryGetValue(clientId, out var client))
            {
                return ([], $"grant {i} names the client service principal {clientId}, which the service principals export does not hold: export every service principal ('az ad sp list --all').");
            }

            var resourceId = Text(grant["resourceId"]) ?? "";
            var (resourceAppId, resource) = byId.GetValueOrDefault(resourceId);
            var scopes = (Text(grant["scope"]) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var list = consents.TryGetValue(client.AppId, out var known) ? known : consents[client.AppId] = [];
            list.Add(new UserConsent(Text(grant["principalId"]) ?? "", resourceAppId ?? resourceId, Text(resource?["displayName"]) ?? resourceAppId ?? resourceId, scopes));
        }

        // A SAML application's service principal holds its token-signing certificate (and that key's password): those
        // keys are the tenant's, for signing, not the application's way in.
        static bool SignsSaml(JsonObject principal) => string.Equals(Text(principal["preferredSingleSignOnMode"]), "saml", StringComparison.OrdinalIgnoreCase);
        var facts = new Dictionary<string, ServicePrincipalFacts>(StringComparer.OrdinalIgnoreCase);
        foreach (var (appId, principal) in byId.Values)
        {
            facts[appId] = new ServicePrincipalFacts
            {
                AccountEnabled = principal["accountEnabled"] is not JsonValue enabled || !enabled.TryGetValue<bool>(out var on) || on,
                AppOwnerOrganizationId = Text(principal["appOwnerOrganizationId"]),
                Secrets = SignsSaml(principal) ? [] : Credentials(principal["passwordCredentials"]),
                Certificates = SignsSaml(principal) ? [] : Credentials(principal["keyCredentials"]),
                UserConsents = consents.GetValueOrDefault(appId) ?? [],
            };
        }

        var registered = apps.Select(a => a.AppId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var elsewhere = byId.Values.Where(p => !registered.Contains(p.AppId)).DistinctBy(p => p.AppId, StringComparer.OrdinalIgnoreCase).Select(p => new AppRegistration
        {
            AppId = p.AppId,
            DisplayName = Text(p.Item["displayName"]) ?? p.AppId,
            SignInAudience = Text(p.Item["signInAudience"]) ?? "AzureADMultipleOrgs",
            VerifiedPublisherId = Text(p.Item["verifiedPublisher"]?["verifiedPublisherId"]),
            ServicePrincipal = facts[p.AppId],
            RegisteredElsewhere = true,
        });
        return ([.. apps.Select(a => facts.TryGetValue(a.AppId, out var found) ? a with { ServicePrincipal = found } : a), .. elsewhere], null);
    }

    private static (IReadOnlyList<JsonObject>, string?) ReadList(JsonNode? document, string what, string source, string[] required)
    {
        if (Items(document) is not { } items)
        {
            return ([], $"it is not a list of {what}: expected {{\"value\": [...]}} or an array, as {source} gives them.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var missing = items[i] is JsonObject item ? required.FirstOrDefault(r => Text(item[r]) is not { Length: > 0 }) : "fields";
            if (missing is not null)
            {
                return ([], $"item {i} is not one of the {what}: every item needs {string.Join(", ", required)}, and it has no {missing}.");
            }
        }

        return ([.. items.OfType<JsonObject>()], null);
    }

    private static JsonArray? Items(JsonNode? document) => document switch
    {
        JsonObject page when page["value"] is JsonArray value => value,
        JsonArray array => array,
        _ => null,
    };

    /// <summary>
    /// When each application last got a token, by app id, from the items of Graph's
    /// <c>servicePrincipalSignInActivities</c> report (with Tessera's <c>resourceSignInActivities</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, AppActivity> ReadActivity(IEnumerable<JsonObject> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var activity = new Dictionary<string, AppActivity>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in report)
        {
            if (Text(item["appId"]) is not { } appId)
            {
                continue;
            }

            var byResource = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
            foreach (var resource in (item["resourceSignInActivities"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Text(resource["resourceAppId"]) is { } resourceAppId && Date(resource["lastSignInDateTime"]) is { } last)
                {
                    byResource[resourceAppId] = last;
                }
            }

            activity[appId] = new AppActivity(Date(item["lastSignInActivity"]?["lastSignInDateTime"]), byResource);
        }

        return activity;
    }

    private static List<AppCredential> Credentials(JsonNode? node)
        => [.. (node as JsonArray ?? []).OfType<JsonObject>().Select(c => new AppCredential(Text(c["displayName"]), Date(c["startDateTime"]), Date(c["endDateTime"])))];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static List<string> Texts(JsonNode? node) => [.. (node as JsonArray ?? []).Select(Text).OfType<string>()];

    private static bool Flag(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    private static DateTimeOffset? Date(JsonNode? node)
        => DateTimeOffset.TryParse(Text(node), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
}

/// <summary>The Microsoft Graph lists <c>tessera assess</c> reads.</summary>
public enum ExportKind
{
    /// <summary>Application registrations (Graph's <c>applications</c>) or a Keycloak realm.</summary>
    Registrations,
    ServicePrincipals,
    PermissionGrants,
}
