using Tessera.Directory.Storage;

namespace Tessera.Server.Hosting;

/// <summary>The <c>Tessera</c> configuration section. Every setting has a safe default; none makes the server less safe.</summary>
public sealed class TesseraOptions
{
    public const string Section = "Tessera";

    /// <summary>The folder for the SQLite database, the key-protection certificate and <c>bootstrap.json</c>.</summary>
    public string DataPath { get; set; } = "./.tessera";

    /// <summary>
    /// The origin clients use to reach this server (<c>https://id.example.com</c>). Empty: the origin of each request,
    /// which is right for a single server; set it behind a proxy or load balancer.
    /// </summary>
    public string? PublicOrigin { get; set; }

    /// <summary>The display name and domain of the tenant created on first start.</summary>
    public string FirstTenantName { get; set; } = "Tessera";
    public string FirstTenantDomain { get; set; } = "tessera.local";

    public StorageOptions Storage { get; set; } = new();
    public SigningKeyOptions SigningKeys { get; set; } = new();
    public SignInProtectionOptions SignInProtection { get; set; } = new();
    public SessionOptions Sessions { get; set; } = new();
    public SharedSignals.SharedSignalsOptions SharedSignals { get; set; } = new();
    public MutualTls.MtlsOptions Mtls { get; set; } = new();
}

/// <summary>Rate limits and password-spray detection (the <c>Tessera:SignInProtection</c> section).</summary>
public sealed class SignInProtectionOptions
{
    /// <summary>Sign-in attempts (POSTs of the sign-in page) one IP address may make per minute, in bursts of as many.</summary>
    public int SignInPermitsPerMinute { get; set; } = 30;

    /// <summary>Token requests one IP address may make per minute.</summary>
    public int TokenPermitsPerMinutePerAddress { get; set; } = 6000;

    /// <summary>Token requests one client (<c>client_id</c>) may make per minute, from wherever.</summary>
    public int TokenPermitsPerMinutePerClient { get; set; } = 6000;

    /// <summary>Distinct accounts one source may fail to sign in to within <see cref="SprayWindow"/> before it counts as a password spray.</summary>
    public int SprayAccountsThreshold { get; set; } = 10;

    public TimeSpan SprayWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a source detected spraying stays blocked for the accounts it is not familiar to.</summary>
    public TimeSpan SprayBlockDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How far back a successful sign-in makes its source familiar to the account.</summary>
    public TimeSpan FamiliarSourcePeriod { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>How long sign-in sessions last unless a tenant's session policy says otherwise.</summary>
public sealed class SessionOptions
{
    /// <summary>A session unused this long ends (5 minutes to 24 hours).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A session ends this long after the sign-in however busy it is (15 minutes to 30 days).</summary>
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>How often signing keys change.</summary>
public sealed class SigningKeyOptions
{
    /// <summary>How long one key signs.</summary>
    public TimeSpan RotationPeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a key is published before it signs, so that every API has fetched it by then.</summary>
    public TimeSpan PublishAhead { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How often each node re-reads the key ring from the database.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}
