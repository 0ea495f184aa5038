using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Samples;

/// <summary>
/// The samples of <c>samples/</c> as a person runs them, against a real Tessera on HTTPS: <c>samples/setup</c> (bash,
/// curl, jq, openssl) registers everything through the admin API with the server's bootstrap.json, twice (a second
/// run must keep what the first made), and writes each sample's <c>appsettings.Local.json</c>; InventoryApi, OrdersApi
/// and the web app then run as processes from their build output, each in a folder holding its own
/// <c>appsettings.json</c> and the settings setup wrote. The web app serves HTTPS with the test server's certificate.
/// </summary>
public sealed partial class SamplesFixture : HttpsServerFixture, IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(40);
    private readonly List<SampleProcess> _processes = [];

    /// <summary>The folder that holds the samples' working folders, settings, certificates and keys.</summary>
    public string Work { get; } = Path.Combine(Path.GetTempPath(), "tessera-tests", "samples-" + Guid.NewGuid().ToString("N"));

    public string WebAppOrigin { get; private set; } = null!;

    public SampleProcess WebApp { get; private set; } = null!;

    public SampleProcess OrdersApi { get; private set; } = null!;

    public SampleProcess InventoryApi { get; private set; } = null!;

    /// <summary>What each run of samples/setup printed.</summary>
    public List<string> SetupRuns { get; } = [];

    /// <summary>The demo user setup made (its password is <see cref="TestDirectory.Password"/>, given to setup).</summary>
    public string DemoUser { get; private set; } = null!;

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        System.IO.Directory.CreateDirectory(Work);
        var (certificate, key) = ExportCertificate();
        WebAppOrigin = $"https://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string>
        {
            ["TESSERA_URL"] = Origin,
            ["TESSERA_BOOTSTRAP"] = Path.Combine(DataPath, "bootstrap.json"),
            ["TESSERA_CERTIFICATE"] = CertificatePemPath,
            ["WEBAPP_URL"] = WebAppOrigin,
            ["WEBAPP_TLS_CERT"] = certificate,
            ["WEBAPP_TLS_KEY"] = key,
            ["ORDERS_API_URL"] = $"http://127.0.0.1:{FreePort()}",
            ["INVENTORY_API_URL"] = $"http://127.0.0.1:{FreePort()}",
            ["SAMPLES_SETTINGS_DIR"] = Work,
            ["SAMPLES_LOCAL_DIR"] = Path.Combine(Work, "local"),
            ["SAMPLES_DEMO_PASSWORD"] = TestDirectory.Password,
        };

        for (var run = 0; run < 2; run++)
        {
            await using var setup = SampleProcess.Start("samples/setup", "bash", [Path.Combine(SampleBuild.SamplesFolder, "setup")], Work, environment);
            var exit = await setup.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, $"samples/setup exited with {exit}:\n{setup.Output}");
            SetupRuns.Add(setup.Output);
        }

        using (var demo = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Work, "local", "demo-user.json"))))
        {
            DemoUser = demo.RootElement.GetProperty("userName").GetString()!;
        }

        InventoryApi = StartSample("InventoryApi");
        OrdersApi = StartSample("OrdersApi");
        WebApp = StartSample("WebApp");
        foreach (var process in (SampleProcess[])[InventoryApi, OrdersApi, WebApp])
        {
            await process.WaitForOutputAsync(Listening(), StartTimeout);
        }
    }

    public new async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await base.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A setting samples/setup wrote for <paramref name="sample"/>, e.g. <c>Tessera:ClientId</c>.</summary>
    public string Setting(string sample, string key)
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Work, sample, "appsettings.Local.json")));
        var element = settings.RootElement;
        foreach (var part in key.Split(':'))
        {
            element = element.GetProperty(part);
        }

        return element.GetString()!;
    }

    /// <summary>Starts a sample from its build output in its working folder (see <see cref="WorkingFolder"/>).</summary>
    public SampleProcess StartSample(string sample, params string[] arguments)
    {
        var process = SampleProcess.StartSample(sample, WorkingFolder(sample), arguments);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// The sample's folder as <c>dotnet run</c> would use it: its committed appsettings.json and the
    /// appsettings.Local.json that setup wrote.
    /// </summary>
    private string WorkingFolder(string sample)
    {
        var folder = Path.Combine(Work, sample);
        File.Copy(Path.Combine(SampleBuild.SamplesFolder, sample, "appsettings.json"), Path.Combine(folder, "appsettings.json"), overwrite: true);
        return folder;
    }

    /// <summary>The test server's certificate and key as PEM files, for the web app's HTTPS (the tests trust it already).</summary>
    private (string Certificate, string Key) ExportCertificate()
    {
        var folder = System.IO.Directory.CreateDirectory(Path.Combine(Work, "tls")).FullName;
        var certificate = Path.Combine(folder, "web.crt");
        var key = Path.Combine(folder, "web.key");
        File.WriteAllText(certificate, Certificate.ExportCertificatePem());
        using var ecdsa = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(Certificate)!;
        File.WriteAllText(key, ecdsa.ExportPkcs8PrivateKeyPem());
        return (certificate, key);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Now listening on: (\S+)")]
    private static partial Regex Listening();
}
