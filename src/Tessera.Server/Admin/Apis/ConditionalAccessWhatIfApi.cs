using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Storage;
using Tessera.Directory.Users;
using Tessera.Policy.ConditionalAccess;
using Tessera.Policy.Errors;
using Tessera.Server.Admin.Access;
using Tessera.Server.ConditionalAccess;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>POST /identity/conditionalAccess/evaluate</c>: "what if". The caller imagines a sign-in (who, to what, from
/// where, how authenticated); the server adds the user's groups and admin roles from the directory and answers with
/// the tenant's decision and every policy's result and reasons, report-only and disabled ones included.
/// </summary>
public static class ConditionalAccessWhatIfApi
{
    private static readonly string[] Known =
    [
        "userId", "servicePrincipalId", "applicationId", "authenticationContexts", "clientAppType", "ipAddress",
        "signInRiskLevel", "userRiskLevel", "authenticationMethods", "authenticationStrength", "authenticatedDateTime",
    ];

    /// <summary>The <c>amr</c> values Tessera issues.</summary>
    private static readonly string[] Methods = ["pwd", "mfa", "otp", "fido", "hwk", "swk"];

    public static RouteGroupBuilder MapConditionalAccessWhatIf(this RouteGroupBuilder api)
    {
        api.MapPost("/identity/conditionalAccess/evaluate", EvaluateAsync).RequirePermission(ConditionalAccessChanges.ReadPermissions);
        return api;
    }

    private static async Task<IResult> EvaluateAsync(HttpContext http, TesseraDbContext db, UserManager<DirectoryUser> users, TenantPolicies policies, TimeProvider time)
    {
        var caller = http.Caller();
        var body = await ApiBodies.ReadObjectAsync(http);
        if (body.Error is not null)
        {
            return GraphResults.BadRequest(body.Error);
        }

        var json = body.Json!;
        var unknown = json.Select(p => p.Key).FirstOrDefault(k => !k.StartsWith('@') && !Known.Contains(k, StringComparer.Ordinal));
        if (unknown is not null)
        {
            return GraphResults.BadRequest(ConditionalAccessErrors.PropertyUnknown.With(unknown, "the what-if sign-in (" + string.Join(", ", Known) + ")"));
        }

        var (signIn, error) = Read(json, time.GetUtcNow());
        if (error is not null)
        {
            return GraphResults.BadRequest(error);
        }

        var userText = ApiBodies.Text(json["userId"]);
        if (userText is not null)
        {
            var userId = await UsersApi.Find(db.Users.AsNoTracking(), users, caller.TenantId, userText).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(http.RequestAborted);
            if (userId is null)
            {
                return GraphResults.Error(StatusCodes.Status404NotFound, AdminErrors.NotFound.With(userText));
            }

            signIn = signIn! with { UserId = userId };
        }
        else
        {
            var appId = signIn!.ServicePrincipalAppId!.Value;
            var known = await db.Applications.AnyAsync(a => a.TenantId == caller.TenantId && a.AppId == appId, http.RequestAborted) ||
                        await db.TenantServicePrincipals.AnyAsync(p => p.TenantId == caller.TenantId && p.AppId == appId, http.RequestAborted);
            if (!known)
            {
                return GraphResults.Error(StatusCodes.Status404NotFound, AdminErrors.NotFound.With(appId.ToString()));
            }
        }

        signIn = await TenantPolicies.WithDirectoryAsync(db, caller.TenantId, signIn, http.RequestAborted);
        var tenant = await policies.ForTenantAsync(db, caller.TenantId, http.RequestAborted);
        return Results.Json(Resource(tenant.Evaluate(signIn), signIn));
    }

    /// <summary>The imagined sign-in from the body, without the directory's part (user id, groups, roles).</summary>
    private static (SignInConditions? SignIn, TesseraError? Error) Read(JsonObject json, DateTimeOffset now)
    {
        var userText = ApiBodies.Text(json["userId"]);
        var servicePrincipal = ApiBodies.Text(json["servicePrincipalId"]);
        if ((userText is null) == (servicePrincipal is null) || (servicePrincipal is not null && !Guid.TryParse(servicePrincipal, out _)))
        {
            return (null, ConditionalAccessErrors.WhatIfSubjectRequired);
        }

        Guid? application = null;
        if (json["applicationId"] is not null)
        {
            if (!Guid.TryParse(ApiBodies.Text(json["applicationId"]), out var appId))
            {
                return (null, ConditionalAccessErrors.Shape.With("applicationId", "an application's app id (a GUID)"));
            }

            application = appId;
        }

        var contexts = ApiBodies.OptionalStrings(json, "authenticationContexts", out var error) ?? [];
        if (error is not null)
        {
            return (null, error);
        }

        var badContext = contexts.FirstOrDefault(c => !ConditionalAccessDocuments.IsAuthenticationContextId(c));
        if (badContext is not null)
        {
            return (null, ConditionalAccessErrors.AuthenticationContextInvalid.With("authenticationContexts", badContext));
        }

        var clientText = ApiBodies.Text(json["clientAppType"]);
        var client = clientText is null ? (servicePrincipal is null ? ClientAppType.Browser : ClientAppType.Other) : ConditionalAccessDocuments.ParseClientApp(clientText);
        if (client is null)
        {
            return (null, ConditionalAccessErrors.ClientAppTypeUnknown.With(clientText!));
        }

        IPAddress? address = null;
        var ipText = ApiBodies.Text(json["ipAddress"]);
        // IPAddress.TryParse takes old shorthand such as 10.9.1 (10.9.0.1); an IPv4 address here has its four parts.
        if (json["ipAddress"] is not null && (!IPAddress.TryParse(ipText, out address) ||
                                              (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ipText!.Count(c => c == '.') != 3)))
        {
            return (null, ConditionalAccessErrors.WhatIfIpInvalid.With(ipText ?? json["ipAddress"]!.ToJsonString()));
        }

        var risks = new RiskLevel[2];
        var riskNames = new[] { "signInRiskLevel", "userRiskLevel" };
        for (var i = 0; i < 2; i++)
        {
            var text = ApiBodies.Text(json[riskNames[i]]);
            var level = text is null ? RiskLevel.None : ConditionalAccessDocuments.ParseRisk(text);
            if (level is null || (text is null && json[riskNames[i]] is not null))
            {
                return (null, ConditionalAccessErrors.RiskLevelUnknown.With(riskNames[i], text ?? json[riskNames[i]]!.ToJsonString()));
            }

            risks[i] = level.Value;
        }

        var methods = ApiBodies.OptionalStrings(json, "authenticationMethods", out error) ?? [];
        if (error is not null)
        {
            return (null, error);
        }

        var badMethod = methods.FirstOrDefault(m => !Methods.Contains(m, StringComparer.Ordinal));
        if (badMethod is not null)
        {
            return (null, ConditionalAccessErrors.AuthenticationMethodUnknown.With(badMethod));
        }

        var amr = methods.ToHashSet(StringComparer.Ordinal);
        if (json["authenticationStrength"] is not null)
        {
            var strengthText = ApiBodies.Text(json["authenticationStrength"]);
            var strength = Guid.TryParse(strengthText, out var strengthId) ? AuthenticationStrengths.Of(strengthId) : null;
            if (strength is null)
            {
                return (null, ConditionalAccessErrors.AuthenticationStrengthUnknown.With(strengthText ?? "(none)",
                    AuthenticationStrengths.Mfa, AuthenticationStrengths.PasswordlessMfa, AuthenticationStrengths.PhishingResistantMfa));
            }

            amr.UnionWith(ConditionalAccessSafeguards.MethodsReaching(strength.Value));
        }

        if (amr.Count == 0 && servicePrincipal is null)
        {
            amr.Add("pwd");
        }

        var authenticatedAt = ApiBodies.OptionalDate(json, "authenticatedDateTime", out error);
        if (error is not null)
        {
            return (null, error);
        }

        return (new SignInConditions
        {
            ServicePrincipalAppId = servicePrincipal is null ? null : Guid.Parse(servicePrincipal),
            ApplicationId = application,
            AuthenticationContexts = contexts.ToHashSet(StringComparer.Ordinal),
            ClientApp = client.Value,
            IpAddress = address,
            SignInRisk = risks[0],
            UserRisk = risks[1],
            AuthenticationMethods = amr,
            AuthenticatedAt = authenticatedAt ?? now,
            Now = now,
        }, null);
    }

    private static JsonObject Resource(ConditionalAccessDecision decision, SignInConditions signIn)
    {
        static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);
        static JsonArray Texts(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
        return new JsonObject
        {
            ["outcome"] = Camel(decision.Outcome.ToString()),
            ["requiredAuthenticationStrength"] = decision.RequiredStrength == AuthenticationStrength.SingleFactor
                ? null
                : new JsonObject
                {
                    ["id"] = AuthenticationStrengths.IdOf(decision.RequiredStrength).ToString("D"),
                    ["displayName"] = AuthenticationStrengths.DisplayName(decision.RequiredStrength),
                },
            ["reauthenticationRequired"] = decision.ReauthenticationRequired,
            ["satisfiedAuthenticationContexts"] = Texts(decision.SatisfiedAuthenticationContexts.Order(StringComparer.Ordinal)),
            ["signIn"] = new JsonObject
            {
                ["userId"] = signIn.UserId?.ToString("D"),
                ["servicePrincipalId"] = signIn.ServicePrincipalAppId?.ToString("D"),
                ["groupIds"] = Texts(signIn.GroupIds.Select(g => g.ToString("D")).Order(StringComparer.Ordinal)),
                ["roleTemplateIds"] = Texts(signIn.RoleTemplateIds.Select(g => g.ToString("D")).Order(StringComparer.Ordinal)),
                ["authenticationMethods"] = Texts(signIn.AuthenticationMethods.Order(StringComparer.Ordinal)),
                ["authenticationStrength"] = AuthenticationStrengths.DisplayName(AuthenticationStrengths.Reached(signIn.AuthenticationMethods)),
            },
            ["policies"] = new JsonArray([.. decision.Policies.Select(p => (JsonNode?)new JsonObject
            {
                ["id"] = p.PolicyId.ToString("D"),
                ["displayName"] = p.DisplayName,
                ["result"] = Camel(p.Result.ToString()),
                ["enforcedGrantControls"] = Texts(p.EnforcedGrantControls),
                ["enforcedSessionControls"] = Texts(p.EnforcedSessionControls),
                ["explanation"] = Texts(p.Explanation),
            })]),
        };
    }
}
