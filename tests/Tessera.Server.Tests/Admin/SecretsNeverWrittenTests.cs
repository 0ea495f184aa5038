using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Admin;

/// <summary>A server that logs everything, at every level, into memory: the structured values and exceptions too.</summary>
public sealed class LoggedServerFixture : TesseraServerFixture, IAsyncLifetime
{
    public AllLogs Logs { get; } = new();

    public TestIssuer Issuer { get; private set; } = null!;

    protected override IEnumerable<string> ExtraArguments =>
        from category in new[] { "Default", "Tessera", "OpenIddict", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware" }
        select $"--Logging:LogLevel:{category}=Trace";

    protected override void OverrideServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);

    public new async Task InitializeAsync()
    {
        Issuer = await TestIssuer.StartAsync();
        await base.InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    public sealed class AllLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                lines.Enqueue($"scope {category}: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {exception}");
            }
        }
    }
}

/// <summary>
/// Client secrets, client assertions and external tokens are used (rightly and wrongly) against a server that logs
/// everything; none of them appears in its logs, its error responses, its audit log or its sign-in log.
/// </summary>
public sealed class SecretsNeverWrittenTests(LoggedServerFixture server) : IClassFixture<LoggedServerFixture>
{
    [Fact]
    public async Task SecretsAndAssertions_UsedRightAndWrong_NeverInLogsErrorsAuditOrSignInLog()
    {
        using var admin = await AdminClient.BootstrapAsync(server);
        var (_, app) = await admin.JsonAsync(HttpMethod.Post, "applications", new { displayName = "secret keeper" });
        var id = app!["id"]!.GetValue<string>();
        var clientId = app["appId"]!.GetValue<string>();
        var (_, added) = await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/addPassword", new { passwordCredential = new { displayName = "ci" } });
        var secret = added!["secretText"]!.GetValue<string>();
        await admin.JsonAsync(HttpMethod.Post, $"applications/{id}/federatedIdentityCredentials",
            new { name = "ci-main", issuer = server.Issuer.Issuer, subject = TestIssuer.CiSubject });
        using var certificate = Certificate();
        await server.Directory.AddCertificateAsync(Guid.Parse(clientId), certificate);

        var assertionGood = server.Issuer.Issue("api://AzureADTokenExchange");
        var assertionRefused = server.Issuer.Issue("api://AzureADTokenExchange", subject: "repo:org/app:ref:refs/heads/evil");
        var ownAssertion = OwnAssertion(certificate, clientId);
        var wrongSecret = secret[..^2] + (secret[^1] == 'a' ? "bb" : "aa");
        var bodies = new List<string>();
        using var http = server.CreateHttpClient();
        async Task PostAsync(params (string, string)[] fields)
        {
            var response = await TokenClient.PostAsync(http, server.TokenEndpoint, [("grant_type", "client_credentials"), ("scope", server.Bootstrap.AdminScope), .. fields]);
            bodies.Add(response.Body);
        }

        await PostAsync(("client_id", clientId), ("client_secret", secret));
        await PostAsync(("client_id", clientId), ("client_secret", wrongSecret));
        await PostAsync(("client_id", Guid.NewGuid().ToString()), ("client_secret", secret));
        await PostAsync(("client_id", "not-a-guid"), ("client_secret", secret));
        await PostAsync(("client_id", clientId), ("client_secret", secret), ("client_assertion", assertionGood),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        foreach (var assertion in new[] { assertionGood, assertionRefused, ownAssertion, assertionGood })
        {
            await PostAsync(("client_id", clientId), ("client_assertion", assertion), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        }

        using (var basic = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint))
        {
            basic.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{clientId}:{wrongSecret}")));
            basic.Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", server.Bootstrap.AdminScope)]);
            using var response = await http.SendAsync(basic);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Contains(bodies, b => b.Contains("access_token", StringComparison.Ordinal));
        Assert.Contains(bodies, b => b.Contains("TSR8102", StringComparison.Ordinal));

        var audit = await server.Directory.QueryAsync(db => db.AuditEntries.AsNoTracking().Select(e => e.InitiatedBy + e.TargetResources).ToListAsync());
        var signIns = await server.Directory.QueryAsync(db => db.SignInEvents.AsNoTracking().ToListAsync());
        var signInText = System.Text.Json.JsonSerializer.Serialize(signIns);
        var places = new Dictionary<string, string>
        {
            ["logs"] = server.Logs.Text,
            ["error responses"] = string.Join('\n', bodies),
            ["audit log"] = string.Join('\n', audit),
            ["sign-in log"] = signInText,
        };
        // The logs did see these requests (the client id is not secret): the absences below are not for want of logging.
        Assert.Contains(clientId, server.Logs.Text, StringComparison.Ordinal);

        // The whole value, and long enough pieces of it to be recognisable (a secret's hint, its first 3 characters, is public).
        (string Name, string Value)[] secrets =
        [
            ("the client secret", secret), ("the client secret without its hint", secret[3..]), ("a wrong secret", wrongSecret[3..]),
            ("an accepted external token's signature", Signature(assertionGood)), ("a refused external token's signature", Signature(assertionRefused)),
            ("a certificate assertion's signature", Signature(ownAssertion)), ("an external token", assertionGood[..assertionGood.LastIndexOf('.')]),
        ];
        foreach (var (place, text) in places)
        {
            foreach (var (name, value) in secrets)
            {
                Assert.False(text.Contains(value, StringComparison.Ordinal), $"{name} appears in the {place}.");
            }
        }
    }

    private static string Signature(string jwt) => jwt[(jwt.LastIndexOf('.') + 1)..];

    private static X509Certificate2 Certificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=secret keeper", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private string OwnAssertion(X509Certificate2 certificate, string clientId)
        => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = server.TokenEndpoint,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString() },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new X509SecurityKey(certificate), SecurityAlgorithms.RsaSha256),
        });
}
