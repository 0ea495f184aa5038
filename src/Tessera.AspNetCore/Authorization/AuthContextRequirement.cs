using Microsoft.AspNetCore.Authorization;

namespace Tessera.AspNetCore.Authorization;

/// <summary>
/// The token must show that the user satisfied an authentication context (step-up): its id among the <c>acrs</c>
/// claim's values. Otherwise the API answers with a claims challenge the client can take back to the server.
/// </summary>
internal sealed class AuthContextRequirement : IAuthorizationRequirement, IAuthorizationHandler
{
    public AuthContextRequirement(string id)
    {
        // It travels in a claims request inside a header: letters, digits, '-', '_', '.' only.
        if (string.IsNullOrEmpty(id) || id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"'{id}' is not a valid authentication context id (e.g. 'c1').", nameof(id));
        }

        Id = id;
    }

    public string Id { get; }

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var claims = TokenClaims.Of(context.User);
        if (claims.IsAuthenticated && claims.HasAuthContext(Id))
        {
            context.Succeed(this);
        }

        return Task.CompletedTask;
    }
}
