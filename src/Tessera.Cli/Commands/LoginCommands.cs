using System.CommandLine;
using System.Text.Json.Nodes;
using Tessera.Cli.Api;
using Tessera.Cli.Failures;
using Tessera.Cli.Session;
using Tessera.Policy.Admin;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera login</c> and <c>tessera logout</c>. Signing in is client credentials, with the bootstrap client's
/// secret (read from the bootstrap file each time a token is needed, never copied) or with a certificate
/// (<c>private_key_jwt</c>). People cannot sign in yet: the server has no device authorization endpoint.
/// </summary>
internal static class LoginCommands
{
    /// <summary>The admin API's application permissions, all that the signed-in client holds.</summary>
    private const string AdminScope = AdminPermissions.ApiIdentifier + "/.default";

    public static Command Login(CliRuntime runtime)
    {
        var bootstrap = new Option<FileInfo?>("--bootstrap") { Description = "Sign in as the bootstrap client of the server's bootstrap.json.", HelpName = "bootstrap.json" };
        var authority = new Option<string?>("--authority") { Description = "The tenant's issuer, {origin}/{tenantId}/v2.0 (with --certificate).", HelpName = "issuer" };
        var clientId = new Option<string?>("--client-id") { Description = "The application (client) id that signs in (with --certificate).", HelpName = "id" };
        var certificate = new Option<FileInfo?>("--certificate") { Description = "A PKCS#12 file (.pfx) with the certificate registered on the application and its private key.", HelpName = "file.pfx" };
        var passwordVariable = new Option<string?>("--certificate-password-env") { Description = "The environment variable holding the .pfx file's password.", HelpName = "VAR" };
        var device = new Option<bool>("--device") { Description = "Sign in as a person with a device code (not available yet)." };

        var command = new Command("login", "Sign in to a tenant's admin API and keep the session for the next commands.")
        {
            bootstrap, authority, clientId, certificate, passwordVariable, device,
        };
        command.Validators.Add(result =>
        {
            var modes = (result.GetResult(bootstrap) is not null ? 1 : 0) + (result.GetResult(certificate) is not null ? 1 : 0) +
                        (result.GetResult(device) is not null ? 1 : 0);
            if (modes != 1)
            {
                result.AddError("Choose one way to sign in: --bootstrap <file>, --certificate <file.pfx> (with --authority and --client-id), or --device.");
            }
            else if (result.GetResult(certificate) is not null && (result.GetResult(authority) is null || result.GetResult(clientId) is null))
            {
                result.AddError("--certificate needs --authority <issuer> and --client-id <id>.");
            }
            else if (result.GetResult(certificate) is null && (result.GetResult(authority) ?? result.GetResult(clientId) ?? result.GetResult(passwordVariable)) is not null)
            {
                result.AddError("--authority, --client-id and --certificate-password-env go with --certificate.");
            }
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = runtime.For(parse);
            if (parse.GetValue(device))
            {
                throw CommandFailure.Usage(CliErrors.DeviceCodeUnavailable);
            }

            var session = parse.GetValue(bootstrap) is { } file
                ? await FromBootstrapAsync(context, file.FullName, cancellationToken).ConfigureAwait(false)
                : await FromCertificateAsync(context, parse.GetValue(authority)!, parse.GetValue(clientId)!,
                    parse.GetValue(certificate)!.FullName, parse.GetValue(passwordVariable), cancellationToken).ConfigureAwait(false);

            // A token now proves the credential works before anything is saved.
            var token = await context.Tokens.RequestAsync(session, cancellationToken).ConfigureAwait(false);
            session = session with { Token = token };
            context.Sessions.Save(session);

            context.Printer.Result(Describe(context, session), () => context.Printer.Line(
                $"Signed in to tenant {session.TenantId:D} as client {session.ClientId} (profile '{context.Sessions.Profile}'); " +
                $"admin API {session.AdminApi}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Logout(CliRuntime runtime)
    {
        var command = new Command("logout", "Forget the profile's session and its cached token (the credentials themselves stay where they are).");
        command.SetAction(parse =>
        {
            var context = runtime.For(parse);
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
        var issuer = ServerAddress.RequireSecure(authority, "--authority").AbsoluteUri.TrimEnd('/');
        var tenant = ServerAddress.TenantOfIssuer(issuer)
                     ?? throw CommandFailure.Usage(CliErrors.InvalidArguments.With(
                         $"--authority must be the tenant's issuer, {{origin}}/{{tenantId}}/v2.0, not '{authority}'.", "tessera login"));

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

    private static JsonObject Describe(CommandContext context, CliSession session) => new()
    {
        ["profile"] = context.Sessions.Profile,
        ["authority"] = session.Authority,
        ["tenantId"] = session.TenantId.ToString("D"),
        ["clientId"] = session.ClientId,
        ["adminApi"] = session.AdminApi,
        ["credential"] = session.Credential.Kind,
        ["expiresOn"] = session.Token?.ExpiresOn.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };
}
