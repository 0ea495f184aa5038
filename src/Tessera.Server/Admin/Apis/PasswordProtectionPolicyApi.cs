using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Directory.Storage;
using Tessera.Directory.Tenants;
using Tessera.Policy.Admin;
using Tessera.Policy.Errors;
using Tessera.Policy.Passwords;
using Tessera.Policy.SignIns;
using Tessera.Server.Admin.Access;
using Tessera.Server.Admin.Audit;
using Tessera.Server.Admin.Queries;

namespace Tessera.Server.Admin.Apis;

/// <summary>
/// <c>/policies/passwordProtectionPolicy</c>: the tenant's password protection, named after the settings of Entra ID's
/// "Password Rule Settings" directory setting: the custom banned password list and whether it is enforced, and smart
/// lockout's threshold and first lockout duration. The global list of common passwords is always enforced. Its version
/// (ETag) is the tenant's.
/// </summary>
public static class PasswordProtectionPolicyApi
{
    public const string Id = "passwordProtectionPolicy";
    private const string Path = "/policies/passwordProtectionPolicy";
    private const string DisplayName = "Password protection policy";
    private const string BannedList = "bannedPasswordList";
    private const string EnableBanned = "enableBannedPasswordCheck";
    private const string Threshold = "lockoutThreshold";
    private const string Duration = "lockoutDurationInSeconds";

    private static readonly TenantPolicyEndpoint Endpoint = new(Id, DisplayName, "Update password protection policy");

    public static RouteGroupBuilder MapPasswordProtectionPolicy(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet(Path, GetAsync).RequirePermission(AdminPermissions.PolicyReadAll);
        api.MapPatch(Path, UpdateAsync).RequirePermission(AdminPermissions.PolicyReadWriteAuthenticationMethod);
        return api;
    }

    private static Task<IResult> GetAsync(HttpContext http, TesseraDbContext db)
        => TenantPolicyEndpoint.GetAsync(http, db, tenant => Resource(http.Request, tenant));

    private static Task<IResult> UpdateAsync(HttpContext http, TesseraDbContext db, AuditLog audit)
        => Endpoint.UpdateAsync(http, db, audit, Apply);

    private static PolicyChange Apply(Tenant tenant, JsonObject json)
    {
        var (change, error) = Read(json);
        if (error is not null)
        {
            return PolicyChange.Refused(error);
        }

        var modified = new List<ModifiedProperty>();
        if (change.Banned is { } banned && !banned.SequenceEqual(tenant.BannedPasswords, StringComparer.Ordinal))
        {
            modified.Add(new ModifiedProperty(BannedList, Entries(tenant.BannedPasswords.Count), Entries(banned.Count)));
            tenant.BannedPasswords = [.. banned];
        }

        if (change.Enforce is { } enforce && enforce != tenant.EnforceBannedPasswords)
        {
            modified.Add(new ModifiedProperty(EnableBanned, Json(tenant.EnforceBannedPasswords), Json(enforce)));
            tenant.EnforceBannedPasswords = enforce;
        }

        if (change.Threshold is { } threshold && threshold != tenant.LockoutThreshold)
        {
            modified.Add(new ModifiedProperty(Threshold, Json(tenant.LockoutThreshold), Json(threshold)));
            tenant.LockoutThreshold = threshold;
        }

        if (change.Duration is { } duration && duration != tenant.LockoutDurationSeconds)
        {
            modified.Add(new ModifiedProperty(Duration, Json(tenant.LockoutDurationSeconds), Json(duration)));
            tenant.LockoutDurationSeconds = duration;
        }

        return PolicyChange.Changed(modified);
    }

    private sealed record Change(IReadOnlyList<string>? Banned, bool? Enforce, int? Threshold, int? Duration);

    /// <summary>What the body changes. Every property is checked before anything is changed; id and displayName may be sent back unchanged.</summary>
    private static (Change Change, TesseraError? Error) Read(JsonObject json)
    {
        var none = new Change(null, null, null, null);
        var unsupported = json.FirstOrDefault(p => !p.Key.StartsWith('@') && p.Key is not (BannedList or EnableBanned or Threshold or Duration) &&
                                                   !(p.Key == "id" && ApiBodies.Text(p.Value) == Id) &&
                                                   !(p.Key == "displayName" && ApiBodies.Text(p.Value) == DisplayName) &&
                                                   !(p.Key == "minimumPasswordLength" && Number(p.Value) == PasswordRules.MinimumLength) &&
                                                   !(p.Key == "maximumPasswordLength" && Number(p.Value) == PasswordRules.MaximumLength)).Key;
        if (unsupported is not null)
        {
            return (none, SignInProtectionErrors.PolicyPropertyUnsupported.With(unsupported));
        }

        IReadOnlyList<string>? banned = null;
        if (json.TryGetPropertyValue(BannedList, out var listNode))
        {
            if (listNode is not JsonArray list || list.Any(item => item?.GetValueKind() != JsonValueKind.String))
            {
                return (none, SignInProtectionErrors.BannedListShape);
            }

            var (words, error) = PasswordProtectionRules.BannedList([.. list.Select(item => item!.GetValue<string>())]);
            if (error is not null)
            {
                return (none, error);
            }

            banned = words;
        }

        bool? enforce = null;
        if (json.TryGetPropertyValue(EnableBanned, out var enforceNode))
        {
            if (enforceNode?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (none, SignInProtectionErrors.EnableBannedCheckShape);
            }

            enforce = enforceNode.GetValue<bool>();
        }

        var (threshold, thresholdError) = WholeNumber(json, Threshold, PasswordProtectionRules.LockoutThreshold);
        if (thresholdError is not null)
        {
            return (none, thresholdError);
        }

        var (duration, durationError) = WholeNumber(json, Duration, PasswordProtectionRules.LockoutDurationSeconds);
        return durationError is not null ? (none, durationError) : (new Change(banned, enforce, threshold, duration), null);
    }

    private static (int? Value, TesseraError? Error) WholeNumber(JsonObject json, string name, Func<int, TesseraError?> check)
    {
        if (!json.TryGetPropertyValue(name, out var node))
        {
            return (null, null);
        }

        var value = node is JsonValue number && number.GetValueKind() == JsonValueKind.Number && number.TryGetValue<int>(out var whole) ? whole : (int?)null;
        var error = value is null ? check(int.MinValue) : check(value.Value);
        return error is null ? (value, null) : (null, error);
    }

    private static Dictionary<string, object?> Resource(HttpRequest request, Tenant tenant) => new()
    {
        ["@odata.context"] = GraphLinks.Context(request, "policies/passwordProtectionPolicy/$entity"),
        ["id"] = Id,
        ["displayName"] = DisplayName,
        [BannedList] = tenant.BannedPasswords,
        [EnableBanned] = tenant.EnforceBannedPasswords,
        [Threshold] = tenant.LockoutThreshold,
        [Duration] = tenant.LockoutDurationSeconds,
        ["minimumPasswordLength"] = PasswordRules.MinimumLength,
        ["maximumPasswordLength"] = PasswordRules.MaximumLength,
        ["@odata.etag"] = GraphResults.ETag(tenant.ConcurrencyStamp),
    };

    private static int? Number(JsonNode? node)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) ? number : null;

    private static string Entries(int count) => count.ToString(CultureInfo.InvariantCulture) + " entries";

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
