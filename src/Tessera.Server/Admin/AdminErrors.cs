using Tessera.Policy.Errors;

namespace Tessera.Server.Admin;

/// <summary>TSR4xxx: the admin API refused the caller or the query. The OAuth error field carries Microsoft Graph's error code.</summary>
public static class AdminErrors
{
    public static readonly TesseraError Unauthenticated = new("TSR4001", "InvalidAuthenticationToken",
        "A valid access token for the admin API is required: request one with scope api://tessera-admin/.default (applications) or api://tessera-admin/<permission> (people).");
    public static readonly TesseraError PermissionMissing = new("TSR4002", "Authorization_RequestDenied",
        "Insufficient privileges: this operation needs {0}. Ask an administrator to grant it to your application or your role.");
    public static readonly TesseraError NotOwner = new("TSR4003", "Authorization_RequestDenied",
        "Insufficient privileges: with Application.ReadWrite.OwnedBy you may only change applications you own.");
    public static readonly TesseraError NotFound = new("TSR4004", "Request_ResourceNotFound",
        "Resource '{0}' does not exist or one of its queried reference-property objects are not present.");
    public static readonly TesseraError UnsupportedQuery = new("TSR4005", "Request_UnsupportedQuery",
        "Unsupported query: {0}");
    public static readonly TesseraError PreconditionFailed = new("TSR4006", "Request_PreconditionFailed",
        "The resource was changed by someone else since you read it (its ETag no longer matches If-Match). Read it again, reapply your change, and retry.");
    public static readonly TesseraError Conflict = new("TSR4007", "Request_Conflict",
        "The resource was changed by someone else while this request ran. Read it again and retry.");
    public static readonly TesseraError NoEndpointPermission = new("TSR4008", "Authorization_RequestDenied",
        "This endpoint declares no permission and is closed until it does.");
    public static readonly TesseraError UnknownRole = new("TSR4009", "Request_BadRequest",
        "roleDefinitionId: '{0}' is not a built-in role. GET /admin/v1/roleManagement/directory/roleDefinitions lists them.");
    public static readonly TesseraError SystemRegistration = new("TSR4010", "Authorization_RequestDenied",
        "The admin API's registration belongs to the platform and cannot be changed or deleted; its permissions are kept current by the server.");
    public static readonly TesseraError PrivilegedApplication = new("TSR4011", "Authorization_RequestDenied",
        "This application holds the admin permission {0}, which you do not hold; changing it (credentials, owners, redirect URIs) would let you act with that permission. Ask someone who holds it.");
}
