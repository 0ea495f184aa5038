using Microsoft.AspNetCore.Authentication;

namespace Tessera.Server.Admin.Access;

/// <summary>
/// Guards every admin endpoint: authenticates the bearer token, resolves the caller, and checks the endpoint's
/// <see cref="PermissionRequirement"/>. An endpoint that declares none is refused: a new endpoint cannot ship open.
/// </summary>
public sealed class AdminAccessFilter(AdminCallers callers) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var authentication = await http.AuthenticateAsync(AdminApiSetup.Scheme);
        var caller = authentication.Succeeded ? await callers.ResolveAsync(authentication.Principal!, http.RequestAborted) : null;
        if (caller is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return GraphResults.Error(StatusCodes.Status401Unauthorized, AdminErrors.Unauthenticated);
        }

        var required = http.GetEndpoint()?.Metadata.GetMetadata<PermissionRequirement>();
        if (required is null)
        {
            return GraphResults.Forbidden(AdminErrors.NoEndpointPermission);
        }

        if (!required.IsMetBy(caller.Has))
        {
            return GraphResults.Forbidden(AdminErrors.PermissionMissing.With(required.Describe()));
        }

        http.Features.Set(caller);
        return await next(context);
    }
}

public static class AdminCallerHttpContextExtensions
{
    /// <summary>The caller, once <see cref="AdminAccessFilter"/> has admitted the request.</summary>
    public static AdminCaller Caller(this HttpContext context)
        => context.Features.Get<AdminCaller>() ?? throw new InvalidOperationException("The admin access filter did not run.");
}
