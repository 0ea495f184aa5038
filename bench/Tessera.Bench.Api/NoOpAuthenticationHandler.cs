using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Tessera.Bench.Api;

/// <summary>
/// Accepts any bearer header without looking at it, with the same app role a real token carries: what ASP.NET Core's
/// authentication and authorization cost by themselves on this endpoint. No SDK that checks a token can be faster, so
/// /noop is the ceiling that a protected endpoint's rate is read against.
/// </summary>
internal sealed class NoOpAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly ClaimsIdentity Caller = new(
        [new Claim("sub", "bench"), new Claim("roles", BenchSchemes.AppRole)], "noop", "sub", "roles");

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var principal = new ClaimsPrincipal(Caller.Clone());
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}
