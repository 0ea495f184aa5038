namespace Tessera.Analyzers.Tests;

/// <summary>For every rule: a snippet that must trigger it and the safe form that must not.</summary>
public sealed class DiagnosticTests
{
    private static string Class(string body) => $$"""
        public static class Snippet
        {
        {{body}}
        }
        """;

    public static TheoryData<string, string, string> Cases => new()
    {
        {
            "TSA0001",
            Class("static TokenValidationParameters P() => new() { ValidateIssuer = false };"),
            Class("static TokenValidationParameters P() => new() { ValidateIssuer = true, ValidIssuer = \"https://id.example\" };")
        },
        {
            "TSA0001",
            Class("static void P(JwtBearerOptions o) { o.TokenValidationParameters.ValidateLifetime = false; }"),
            Class("static void P(JwtBearerOptions o) { o.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(1); }")
        },
        {
            "TSA0002",
            Class("static void P(JwtBearerOptions o) { o.RequireHttpsMetadata = false; }"),
            Class("static void P(JwtBearerOptions o, IHostEnvironment env) { if (env.IsDevelopment()) { o.RequireHttpsMetadata = false; } o.RequireHttpsMetadata = !env.IsDevelopment(); }")
        },
        {
            "TSA0003",
            Class("static void P(TokenValidationParameters p) { p.SignatureValidator = (token, _) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token); }"),
            Class("static void P(TokenValidationParameters p) { p.IssuerValidator = (issuer, _, _) => issuer == \"https://id.example\" ? issuer : throw new SecurityTokenInvalidIssuerException(\"unknown issuer\"); }")
        },
        {
            "TSA0003",
            Class("static void P(TokenValidationParameters p) { p.IssuerValidator = (issuer, _, _) => issuer; }"),
            Class("static void P(TokenValidationParameters p) { p.LifetimeValidator = (notBefore, expires, _, _) => expires > DateTime.UtcNow; }")
        },
        {
            "TSA0004",
            Class("static void P(TokenValidationParameters p) { p.ValidAlgorithms = [SecurityAlgorithms.RsaSha256, \"HS256\"]; }"),
            Class("static void P(TokenValidationParameters p) { p.ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256]; }")
        },
        {
            "TSA0005",
            Class("static Task<AuthenticationResult> P(IPublicClientApplication app) => app.AcquireTokenByUsernamePassword([\"api://orders/read\"], \"ann\", \"secret\").ExecuteAsync();"),
            Class("static Task<AuthenticationResult> P(IPublicClientApplication app) => app.AcquireTokenWithDeviceCode([\"api://orders/read\"], _ => Task.CompletedTask).ExecuteAsync();")
        },
        {
            "TSA0006",
            Class("static void P(OpenIdConnectOptions o) { o.ResponseType = OpenIdConnectResponseType.IdTokenToken; }"),
            Class("static void P(OpenIdConnectOptions o) { o.ResponseType = OpenIdConnectResponseType.Code; }")
        },
        {
            "TSA0007",
            Class("static void P(OpenIdConnectOptions o) { o.UsePkce = false; }"),
            Class("static void P(OpenIdConnectOptions o) { o.UsePkce = true; }")
        },
        {
            "TSA0008",
            Class("static void P(OpenIdConnectOptions o) { o.ClientSecret = \"s3cr3t-value\"; }"),
            Class("static void P(OpenIdConnectOptions o, string fromConfiguration) { o.ClientSecret = fromConfiguration; }")
        },
        {
            "TSA0008",
            Class("static IConfidentialClientApplication P() => ConfidentialClientApplicationBuilder.Create(\"app\").WithClientSecret(\"s3cr3t-value\").Build();"),
            Class("static IConfidentialClientApplication P(X509Certificate2 c) => ConfidentialClientApplicationBuilder.Create(\"app\").WithCertificate(c).Build();")
        },
        {
            "TSA0009",
            Class("const string Db = \"Host=db;Username=tessera;Password=hunter2\";"),
            Class("const string Db = \"Host=db;Username=tessera\";")
        },
        {
            "TSA0010",
            Class("const string Key = \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\";"),
            Class("const string Cert = \"-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIU\\n-----END CERTIFICATE-----\";")
        },
        {
            "TSA0010",
            Class($"const string Pfx = \"MII{new string('A', 700)}\";"),
            Class("const string Short = \"MIIBszCCAVmgAwIBAgIU\";")
        },
        {
            "TSA0011",
            Class("static X509Certificate2 P(byte[] pfx) => X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);"),
            Class("static X509Certificate2 P(byte[] pfx) => X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.EphemeralKeySet);")
        },
        {
            "TSA0012",
            Class("static HttpClientHandler P() => new() { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };"),
            Class("static HttpClientHandler P(byte[] pinned) => new() { ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None || certificate!.RawData.AsSpan().SequenceEqual(pinned) };")
        },
        {
            "TSA0012",
            Class("static void P(HttpClientHandler h) { h.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator; }"),
            Class("static void P(HttpClientHandler h) { h.CheckCertificateRevocationList = true; }")
        },
        {
            "TSA0013",
            Class("""
                static void Map(WebApplication app)
                {
                    app.MapGet("/orders", () => "orders").RequireAuthorization("orders.read");
                    app.MapGet("/stats", () => "stats").AllowAnonymous();
                }
                """),
            Class("""
                static void Map(WebApplication app)
                {
                    app.MapGet("/orders", () => "orders").RequireAuthorization("orders.read");
                    // The load balancer probes this without a token; it answers only "ok".
                    app.MapGet("/health", () => "ok").AllowAnonymous();
                }
                """)
        },
        {
            "TSA0014",
            """
            public static class Startup
            {
                public static void Add(IServiceCollection services) => services.AddAuthentication().AddJwtBearer();
            }
            [Authorize]
            public sealed class OrdersController : ControllerBase { }
            """,
            """
            public static class Startup
            {
                public static void Add(IServiceCollection services) => services.AddAuthentication().AddJwtBearer();
            }
            [Authorize(Policy = "orders.read")]
            public sealed class OrdersController : ControllerBase { [Authorize(Roles = "Orders.Admin")] public void Delete() { } }
            """
        },
        {
            "TSA0014",
            Class("""
                static void Map(WebApplication app)
                {
                    app.Services.GetRequiredService<IServiceCollection>().AddAuthentication().AddJwtBearer();
                    app.MapGet("/orders", () => "orders").RequireAuthorization();
                }
                """),
            Class("""
                static void Map(WebApplication app)
                {
                    app.MapGet("/me", () => "me").RequireAuthorization();
                }
                """)
        },
        {
            "TSA0015",
            Class("static readonly string[] Scopes = [\"api://orders/.default\"];"),
            Class("static readonly string[] Scopes = [\"api://orders/orders.read\"];")
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rule_UnsafeCode_Reported_SafeForm_NotReported(string id, string unsafeCode, string safeCode)
    {
        var found = await Roslyn.AnalyzeAsync(unsafeCode);
        Assert.Contains(found, d => d.Id == id);
        var diagnostic = found.First(d => d.Id == id);
        Assert.Equal(Rules.HelpLink(id), diagnostic.Descriptor.HelpLinkUri);
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));

        var safe = await Roslyn.AnalyzeAsync(safeCode);
        Assert.Empty(safe);
    }

    [Fact]
    public void Rules_EveryId_HasOneSectionInTheDocs()
    {
        var docs = File.ReadAllText(Path.Combine(Repository.Root, "docs", "analyzers.md"));
        var ids = typeof(Rules).GetFields().Select(f => f.GetValue(null)).OfType<Microsoft.CodeAnalysis.DiagnosticDescriptor>().Select(d => d.Id).ToList();
        Assert.Equal(15, ids.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.Contains($"## {id}", docs, StringComparison.Ordinal);
        }
    }
}
