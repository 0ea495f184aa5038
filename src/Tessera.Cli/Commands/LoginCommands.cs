using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Session;
using Tessera.Policy.Admin;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera login</c> and <c>tessera logout</c>. An application signs in with client credentials: the bootstrap
/// client's secret (read from the bootstrap file each time a token is needed, never copied) or a certificate
/// (<c>private_key_jwt</c>). A person signs in with a device code (RFC 8628) and approves it in a browser; the
/// session then renews itself with the refresh token, kept apart from the session in the profile's tokens file.
/// </summary>
internal static class LoginCommands
{
    /// <summary>The admin API's application permissions, all that the signed-in client holds.</summary>
    private const string AdminScope = AdminPermissions.ApiIdentifier + "/.default";

    /// <summary>
    /// A person's delegated admin permissions (what the tenant's admin API exposes, limited by the admin roles they
    /// hold), and a refresh token so that one approval lasts beyond the first access token.
    /// </summary>
    private const string PersonScope = AdminScope + " offline_access";

    /// <summary>How long <c>logout</c> waits for the server to revoke a refresh token before deleting it regardless.</summary>
    private static readonly TimeSpan RevocationWait = TimeSpan.FromSeconds(10);

    public static Command Login(CliRuntime runtime)
    {
        var bootstrap = new Option<FileInfo?>("--bootstrap") { Description = "Sign in as the bootstrap client of the server's bootstrap.json.", HelpName = "bootstrap.json" };
        var authority = new Option<string?>("--authority") { Description = "The tenant's issuer, {origin}/{tenantId}/v2.0 (with --certificate or --device).", HelpName = "issuer" };
        var clientId = new Option<string?>("--client-id") { Description = "The application (client) id that signs in (with --certificate; with --device, default: the tenant's 'Tessera CLI' client its discovery document names).", HelpName = "id" };
        var certificate = new Option<FileInfo?>("--certificate") { Description = "A PKCS#12 file (.pfx) with the certificate registered on the application and its private key.", HelpName = "file.pfx" };
        var passwordVariable = new Option<string?>("--certificate-password-env") { Description = "The environment variable holding the .pfx file's password.", HelpName = "VAR" };
        var device = new Option<bool>("--device") { Description = "Sign in as a person: open the address shown, enter the code and approve (with --authority)." };

        var command = new Command("login", "Sign in to a tenant's admin API and keep the session for the next commands.")
        {
            bootstrap, authority, clientId, certificate, passwordVariable, device,
        };
        command.Validators.Add(result =>
        {
            var byCertificate = result.GetResult(certificate) is not null;
            var byDevice = result.GetValue(device);
            var modes = (result.GetResult(bootstrap) is not null ? 1 : 0) + (byCertificate ? 1 : 0) + (byDevice ? 1 : 0);
            if (modes != 1)
            {
                result.AddError("Choose one way to sign in: --bootstrap <file>, --certificate <file.pfx> (with --authority and --client-id), or --device (with --authority).");
            }
            else if (byCertificate && (result.GetResult(authority) is null || result.GetResult(clientId) is null))
            {
                result.AddError("--certificate needs --authority <issuer> and --client-id <id>.");
            }
            else if (byDevice && result.GetResult(authority) is null)
            {
                result.AddError("--device needs --authority <issuer>, the tenant's issuer {origin}/{tenantId}/v2.0.");
            }
            else if (byDevice && result.GetResult(passwordVariable) is not null)
            {
                result.AddError("--certificate-password-env goes with --certificate.");
            }
            else if (!byCertificate && !byDevice && (result.GetResult(authority) ?? result.GetResult(clientId) ?? result.GetResult(passwordVariable)) is not null)
            {
                result.AddError("--authority, --client-id and --certificate-password-env go with --certificate (--authority and --client-id also with --device).");
            }
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            CliSession session;
            if (parse.GetValue(device))
            {
                session = await FromDeviceCodeAsync(context, parse.GetValue(authority)!, parse.GetValue(clientId), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                session = parse.GetValue(bootstrap) is { } file
                    ? await FromBootstrapAsync(context, file.FullName, cancellationToken).ConfigureAwait(false)
                    : await FromCertificateAsync(context, parse.GetValue(authority)!, parse.GetValue(clientId)!,
                        parse.GetValue(certificate)!.FullName, parse.GetValue(passwordVariable), cancellationToken).ConfigureAwait(false);

                // A token now proves the credential works before anything is saved.
                session = session with { Token = await context.Tokens.RequestAsync(session, cancellationToken).ConfigureAwait(false) };
            }

            context.Sessions.Save(session);
            var user = UserOf(session);
            context.Printer.Result(Describe(context, session, user), () => context.Printer.Line(
                $"Signed in to tenant {session.TenantId:D} as {(user is null ? $"client {session.ClientId}" : $"{user} (client {session.ClientId})")} " +
                $"(profile '{context.Sessions.Profile}'); admin API {session.AdminApi}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Logout(CliRuntime runtime)
    {
        var command = new Command("logout",
            "Forget the profile's session, its cached token and a person's refresh token (revoked at the server first); bootstrap files and certificates stay where they are.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            await RevokeRefreshTokenAsync(context, cancellationToken).ConfigureAwait(false);
            var removed = context.Sessions.Delete();
            context.Printer.Result(new JsonObject { ["profile"] = context.Sessions.Profile, ["signedOut"] = removed },
                () => context.Printer.Line(removed ? $"Signed out (profile '{context.Sessions.Profile}')." : $"Not signed in (profile '{context.Sessions.Profile}')."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<CliSession> FromBootstrapAsync(CommandContext context, string path, CancellationToken cancellationToken)
    {
        var file = BootstrapFile.Read(path);
        var tokenEndpoint = await context.Tokens.DiscoverTokenEndpointAsync(file.Issuer, cancellationToken).ConfigureAwait(false);
        return new CliSession
        {
            Authority = file.Issuer.TrimEnd('/'),
            TenantId = file.TenantId,
            ClientId = file.ClientId,
            Scope = file.AdminScope,
            TokenEndpoint = tokenEndpoint,
            AdminApi = context.AdminApiFor(file.Issuer, file.TenantId).AbsoluteUri,
            Credential = new SessionCredential(SessionCredential.BootstrapKind, path),
        };
    }

    private static async Task<CliSession> FromCertificateAsync(
        CommandContext context, string authority, string clientId, string certificatePath, string? passwordVariable, CancellationToken cancellationToken)
    {
        var (issuer, tenant) = TenantIssuer(authority);

        // Loaded once here so that a wrong path or password fails now, not at the first command.
        ClientCertificate.Load(certificatePath, passwordVariable).Dispose();
        var tokenEndpoint = await context.Tokens.DiscoverTokenEndpointAsync(issuer, cancellationToken).ConfigureAwait(false);
        return new CliSession
        {
            Authority = issuer,
            TenantId = tenant,
            ClientId = clientId.Trim(),
            Scope = AdminScope,
            TokenEndpoint = tokenEndpoint,
            AdminApi = context.AdminApiFor(issuer, tenant).AbsoluteUri,
            Credential = new SessionCredential(SessionCredential.CertificateKind, certificatePath, string.IsNullOrWhiteSpace(passwordVariable) ? null : passwordVariable),
        };
    }

    /// <summary>
    /// The device code flow: the person is told where to go and which code to enter (standard error; with
    /// <c>--json</c> also one line of JSON on standard output), then the command waits for their answer. The refresh
    /// token is stored before the session that needs it.
    /// </summary>
    private static async Task<CliSession> FromDeviceCodeAsync(CommandContext context, string authority, string? clientId, CancellationToken cancellationToken)
    {
        var (issuer, tenant) = TenantIssuer(authority);
        var metadata = await context.Tokens.DiscoverAsync(issuer, cancellationToken).ConfigureAwait(false);
        var endpoint = metadata.DeviceAuthorizationEndpoint ?? throw CommandFailure.Usage(CliErrors.DeviceCodeUnavailable.With(issuer));
        var client = string.IsNullOrWhiteSpace(clientId)
            ? metadata.CliClientId ?? throw CommandFailure.Usage(CliErrors.CliClientUnknown.With(issuer))
            : clientId.Trim();

        var prompt = await context.DeviceCodes.StartAsync(endpoint, client, PersonScope, cancellationToken).ConfigureAwait(false);
        var until = prompt.ExpiresOn.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        context.Printer.Notice($"To sign in, open {prompt.VerificationUri.AbsoluteUri} and enter the code {prompt.UserCode} (valid until {until}).");
        if (context.Printer.Json)
        {
            context.Printer.WriteJsonLine(new JsonObject
            {
                ["verificationUri"] = prompt.VerificationUri.AbsoluteUri,
                ["verificationUriComplete"] = prompt.VerificationUriComplete?.AbsoluteUri,
                ["userCode"] = prompt.UserCode,
                ["expiresOn"] = prompt.ExpiresOn.ToString("O", CultureInfo.InvariantCulture),
            });
        }

        var grant = await context.DeviceCodes.PollAsync(metadata.TokenEndpoint, client, prompt, cancellationToken).ConfigureAwait(false);
        if (grant.RefreshToken is { } refreshToken)
        {
            context.Sessions.SaveRefreshToken(refreshToken);
        }
        else
        {
            context.Printer.Notice($"The server issued no refresh token: sign in again when the access token expires ({grant.Access.ExpiresOn:O}).");
        }

        return new CliSession
        {
            Authority = issuer,
            TenantId = tenant,
            ClientId = client,
            Scope = PersonScope,
            TokenEndpoint = metadata.TokenEndpoint,
            AdminApi = context.AdminApiFor(issuer, tenant).AbsoluteUri,
            Credential = new SessionCredential(SessionCredential.DeviceKind, context.Sessions.TokensPath),
            Token = grant.Access,
        };
    }

    /// <summary>Revokes a person's refresh token before it is deleted; a server that cannot be asked does not stop the logout.</summary>
    private static async Task RevokeRefreshTokenAsync(CommandContext context, CancellationToken cancellationToken)
    {
        CliSession? session;
        string? refreshToken;
        try
        {
            session = context.Sessions.Load();
            refreshToken = context.Sessions.LoadRefreshToken();
        }
        catch (CommandFailure)
        {
            return; // unreadable files are deleted all the same
        }

        if (session is not { Credential.Kind: SessionCredential.DeviceKind } || refreshToken is null)
        {
            return;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(RevocationWait);
        string? problem = null;
        try
        {
            var metadata = await context.Tokens.DiscoverAsync(session.Authority, wait.Token).ConfigureAwait(false);
            if (metadata.RevocationEndpoint is { } endpoint)
            {
                await context.Tokens.RevokeAsync(endpoint, session.ClientId, refreshToken, wait.Token).ConfigureAwait(false);
            }
            else
            {
                problem = "the authority names no revocation_endpoint";
            }
        }
        catch (CommandFailure failure)
        {
            problem = ServerExchange.OneLine(failure.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"no answer within {RevocationWait.TotalSeconds:0} seconds";
        }

        if (problem is not null)
        {
            context.Printer.Notice($"The refresh token was not revoked at the server ({problem.TrimEnd('.')}); it is deleted here and expires on its own.");
        }
    }

    /// <summary>The tenant issuer <c>{origin}/{tenantId}/v2.0</c> of <c>--authority</c>, and its tenant id.</summary>
    private static (string Issuer, Guid TenantId) TenantIssuer(string authority)
    {
        var issuer = ServerAddress.RequireSecure(authority, "--authority").AbsoluteUri.TrimEnd('/');
        var tenant = ServerAddress.TenantOfIssuer(issuer)
                     ?? throw CommandFailure.Usage(CliErrors.InvalidArguments.With(
                         $"--authority must be the tenant's issuer, {{origin}}/{{tenantId}}/v2.0, not '{authority}'.", "tessera login"));
        return (issuer, tenant);
    }

    /// <summary>
    /// The person a device sign-in is for, read from the access token the token endpoint just sent (to show it, not to
    /// trust it: the admin API checks the token itself). Null for an application's session.
    /// </summary>
    private static string? UserOf(CliSession session)
    {
        if (session.Credential.Kind != SessionCredential.DeviceKind || session.Token is null)
        {
            return null;
        }

        try
        {
            return new JsonWebToken(session.Token.AccessToken).TryGetPayloadValue<string>("preferred_username", out var name) && !string.IsNullOrWhiteSpace(name)
                ? new string([.. name.Where(c => !char.IsControl(c))])
                : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static JsonObject Describe(CommandContext context, CliSession session, string? user) => new()
    {
        ["profile"] = context.Sessions.Profile,
        ["authority"] = session.Authority,
        ["tenantId"] = session.TenantId.ToString("D"),
        ["clientId"] = session.ClientId,
        ["user"] = user,
        ["adminApi"] = session.AdminApi,
        ["credential"] = session.Credential.Kind,
        ["expiresOn"] = session.Token?.ExpiresOn.ToString("O", CultureInfo.InvariantCulture),
    };
}
