using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;
using Tessera.Server.Sessions;
using Tessera.Directory.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tessera.Directory.Users;
using Tessera.Server.Protection;

namespace Tessera.Server.Security;

/// <summary>ASP.NET Core Identity for people: password hashing, lockout, and the SSO session cookie.</summary>
public static class SignInSetup
{
    public static IServiceCollection AddTesseraSignIn(this IServiceCollection services)
    {
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies(cookies =>
        {
            cookies.ApplicationCookie!.Configure(cookie =>
            {
                // __Host-: Secure, Path=/, no Domain, so no sibling host can set or read it.
                cookie.Cookie.Name = "__Host-tessera.session";
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.Path = "/";
                cookie.SlidingExpiration = false;

                // Every issued cookie is a server-side session; revoked, ended and timed-out sessions end at the next
                // request (see SessionCookieValidation for why not SecurityStampValidator).
                cookie.Events.OnSigningIn = SessionCookieIssuing.SigningInAsync;
                cookie.Events.OnValidatePrincipal = SessionCookieValidation.ValidateAsync;
            });
            cookies.ExternalCookie!.Configure(cookie => cookie.Cookie.Name = "__Host-tessera.external");
            // The pending second step after a password, and a passkey ceremony's challenge, live here for 5 minutes.
            // __Host- cookies must be Secure, also on loopback HTTP (which browsers treat as a secure origin).
            cookies.TwoFactorUserIdCookie!.Configure(cookie =>
            {
                cookie.Cookie.Name = "__Host-tessera.2fa";
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.Path = "/";
            });
            cookies.TwoFactorRememberMeCookie!.Configure(cookie =>
            {
                cookie.Cookie.Name = "__Host-tessera.2fa-remember";
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.Cookie.Path = "/";
            });
        });

        // The cookie ends with the session's absolute timeout (a tenant's shorter one is applied per sign-in).
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<TesseraOptions>>((cookie, tessera) => cookie.ExpireTimeSpan = tessera.Value.Sessions.AbsoluteTimeout);
        services.AddScoped<SignInSessionStore>();

        services.AddIdentityCore<DirectoryUser>(identity =>
            {
                // ASVS 5.0 V6: length, not composition.
                identity.Password.RequiredLength = 12;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequiredUniqueChars = 1;
                identity.Lockout.AllowedForNewUsers = true;
                identity.Lockout.MaxFailedAccessAttempts = 10;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                identity.User.RequireUniqueEmail = false;
                identity.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
            })
            .AddSignInManager()
            .AddEntityFrameworkStores<TesseraDbContext>()
            .AddUserStore<TesseraUserStore>()
            .AddDefaultTokenProviders();

        // Tessera's password rules replace Identity's composition checks (ASVS 5.0 V6: length and lists, no composition).
        services.RemoveAll<IPasswordValidator<DirectoryUser>>();
        services.AddScoped<IPasswordValidator<DirectoryUser>, TenantPasswordValidator>();

        // Passkeys (WebAuthn) by Identity: user verification required, so that a passkey alone is two factors.
        services.AddOptions<IdentityPasskeyOptions>().Configure<IConfiguration>((passkeys, configuration) =>
        {
            passkeys.UserVerificationRequirement = "required";
            passkeys.ResidentKeyRequirement = "required";
            // Behind a proxy the request's host is not the public one: the relying party id is the public origin's host,
            // and the browser's origin must be the public origin. Without one, the origin the request came to.
            var publicOrigin = Uri.TryCreate(configuration["Tessera:PublicOrigin"], UriKind.Absolute, out var configured) ? configured : null;
            if (publicOrigin is not null)
            {
                passkeys.ServerDomain = publicOrigin.Host;
            }

            passkeys.ValidateOrigin = context =>
            {
                var request = context.HttpContext.Request;
                var expected = publicOrigin?.GetLeftPart(UriPartial.Authority) ?? $"{request.Scheme}://{request.Host.Value}";
                return ValueTask.FromResult(!context.CrossOrigin && string.Equals(context.Origin, expected, StringComparison.OrdinalIgnoreCase));
            };
        });
        services.AddScoped<Authentication.SessionSignIn>();
        services.AddScoped<Authentication.AuthenticatorApp>();
        services.AddScoped<Authentication.PasskeyUsage>();

        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "__Host-tessera.af";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.Path = "/";
        });
        services.AddRazorPages();
        return LoopbackAntiforgery.Decorate(services);
    }
}
