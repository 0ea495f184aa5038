using Microsoft.CodeAnalysis;

namespace Tessera.Analyzers;

/// <summary>
/// The Zero Trust diagnostics, TSA0001 and up. Each one's help link is its section in docs/analyzers.md; its severity is the
/// default and can be changed in .editorconfig (<c>dotnet_diagnostic.TSA0001.severity = error</c>).
/// </summary>
public static class Rules
{
    public const string TokenValidation = "Tessera.TokenValidation";
    public const string Flows = "Tessera.Flows";
    public const string Credentials = "Tessera.Credentials";
    public const string Transport = "Tessera.Transport";
    public const string Authorization = "Tessera.Authorization";

    public static readonly DiagnosticDescriptor ValidationDisabled = Rule(
        "TSA0001", TokenValidation, "Token validation check turned off",
        "'{0}' is set to false: tokens with any {1} are accepted; leave it true");

    public static readonly DiagnosticDescriptor HttpsMetadataDisabled = Rule(
        "TSA0002", TokenValidation, "Metadata fetched over plain HTTP",
        "'RequireHttpsMetadata' is set to false outside a development check: the signing keys can be swapped on the wire; leave it true or set it only when the environment is Development");

    public static readonly DiagnosticDescriptor AcceptAllValidator = Rule(
        "TSA0003", TokenValidation, "Validator that accepts every token",
        "'{0}' accepts every value without checking it: remove it and let the handler validate, or throw when the check fails");

    public static readonly DiagnosticDescriptor WeakAlgorithm = Rule(
        "TSA0004", TokenValidation, "Unsigned or shared-secret algorithm accepted",
        "'ValidAlgorithms' accepts '{0}': a token signed with no key or with a shared secret passes; accept the issuer's asymmetric algorithms only (RS256, PS256, ES256)");

    public static readonly DiagnosticDescriptor PasswordGrant = Rule(
        "TSA0005", Flows, "Password grant",
        "'AcquireTokenByUsernamePassword' sends the user's password to the application and skips MFA and Conditional Access; use the authorization code flow, device code or a managed identity");

    public static readonly DiagnosticDescriptor ImplicitFlow = Rule(
        "TSA0006", Flows, "Implicit flow",
        "response type '{0}' returns tokens in the browser's address bar (implicit flow); use \"code\" with PKCE");

    public static readonly DiagnosticDescriptor PkceDisabled = Rule(
        "TSA0007", Flows, "PKCE turned off",
        "'UsePkce' is set to false: a stolen authorization code can be redeemed; leave it true");

    public static readonly DiagnosticDescriptor SecretLiteral = Rule(
        "TSA0008", Credentials, "Client secret in source code",
        "A client secret is written in the source: anyone who can read the code or the binary holds it; read it from configuration or a secret store, or use a certificate or federated credential");

    public static readonly DiagnosticDescriptor ConnectionStringPassword = Rule(
        "TSA0009", Credentials, "Password in a connection string",
        "This connection string contains a password: read the connection string from configuration or a secret store, or use a managed identity");

    public static readonly DiagnosticDescriptor EmbeddedKey = Rule(
        "TSA0010", Credentials, "Private key embedded in source",
        "{0} is embedded in the source: load it from a certificate store, a key vault or a protected file");

    public static readonly DiagnosticDescriptor ExportableKey = Rule(
        "TSA0011", Credentials, "Certificate private key exportable",
        "'X509KeyStorageFlags.Exportable' lets any code in the process copy the private key out; load the certificate without it");

    public static readonly DiagnosticDescriptor TrustAnyCertificate = Rule(
        "TSA0012", Transport, "Every server certificate trusted",
        "'{0}' accepts every server certificate: anyone on the path can read and change the traffic, tokens included; remove it, or trust one certificate by comparing it");

    public static readonly DiagnosticDescriptor UnjustifiedAnonymous = Rule(
        "TSA0013", Authorization, "Anonymous endpoint beside protected ones",
        "This endpoint allows anonymous callers while others here require authorization: say why in a comment on this statement, or require authorization");

    public static readonly DiagnosticDescriptor AuthorizeWithoutRequirement = new(
        "TSA0014", "Authorization without a scope or role", "{0} requires only a signed-in caller: any application or user with a token for this API passes; require a scope or app role (a policy, Roles or RequireScope)",
        Authorization, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink("TSA0014"),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor DefaultScope = new(
        "TSA0015", "Catch-all scope requested", "'{0}' asks for every permission granted on the resource: where the API offers a narrower scope, ask for that one",
        Authorization, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: HelpLink("TSA0015"));

    /// <summary>Where the rule is explained: a section of the project's docs/analyzers.md.</summary>
    public static string HelpLink(string id) => "docs/analyzers.md#" + id.ToLowerInvariant();

    private static DiagnosticDescriptor Rule(string id, string category, string title, string message) =>
        new(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
