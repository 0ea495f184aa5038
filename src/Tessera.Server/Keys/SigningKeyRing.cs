using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Tessera.Directory.Keys;
using Tessera.Directory.Storage;
using Tessera.Policy.Tokens;
using Tessera.Server.Hosting;

namespace Tessera.Server.Keys;

/// <summary>
/// The platform's token-signing keys (ES256), shared by every tenant as Entra ID's are.
/// Time is cut into rotation periods (generations); the key of the next generation is created and published
/// <see cref="SigningKeyOptions.PublishAhead"/> before it starts signing, and an old key stays published until
/// every token it signed has expired. Readers take an immutable snapshot, so the hot path takes no lock.
/// </summary>
public sealed partial class SigningKeyRing(
    IServiceScopeFactory scopes,
    IDataProtectionProvider dataProtection,
    TimeProvider time,
    IOptions<TesseraOptions> options,
    ILogger<SigningKeyRing> logger)
{
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;
    private static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Longest-lived thing a key signs (refresh tokens and codes), plus slack for clock skew.
    private static readonly TimeSpan LongestSignedLifetime = TokenLifetimes.RefreshToken + TimeSpan.FromHours(1);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Tessera.SigningKeys.v1");
    private volatile Snapshot? _snapshot;

    /// <summary>The loaded ring, without the keys whose retirement came since it was read (no database call, no lock).</summary>
    private Snapshot Current
    {
        get
        {
            var snapshot = _snapshot ?? throw new InvalidOperationException("The signing key ring has not been loaded yet.");
            var now = time.GetUtcNow();
            if (now < snapshot.NextRetirement)
            {
                return snapshot;
            }

            var kept = snapshot.Entries.Where(e => e.Retire > now || e.Credentials == snapshot.Active).ToList();
            var rebuilt = snapshot with
            {
                Entries = kept,
                Published = [.. kept.Select(e => e.Credentials.Key)],
                JsonWebKeys = [.. kept.Select(e => e.JsonWebKey)],
                NextRetirement = kept.Where(e => e.Retire > now).Select(e => e.Retire).DefaultIfEmpty(DateTimeOffset.MaxValue).Min(),
            };
            _snapshot = rebuilt;
            return rebuilt;
        }
    }

    /// <summary>The credentials that sign new tokens now.</summary>
    public SigningCredentials Active => Current.Active;

    /// <summary>Every key a token may carry a signature from: the next, the active and the recently retired.</summary>
    public IReadOnlyList<SecurityKey> Published => Current.Published;

    /// <summary>The published keys as JWKs (public parts only).</summary>
    public IReadOnlyList<JsonWebKey> PublishedJsonWebKeys => Current.JsonWebKeys;

    /// <summary>Creates the keys this moment needs (if no other node has) and reloads the ring.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.SigningKeys;
        var now = time.GetUtcNow();
        var generation = GenerationAt(now, settings.RotationPeriod);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var keys = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);

        if (!keys.Exists(k => k.Generation >= generation))
        {
            // Nothing signs this period: the first start, or every node was down across a boundary.
            await TryCreateAsync(db, generation, activate: now, settings, cancellationToken);
        }

        var nextStart = StartOf(generation + 1, settings.RotationPeriod);
        if (now >= nextStart - settings.PublishAhead && !keys.Exists(k => k.Generation == generation + 1))
        {
            await TryCreateAsync(db, generation + 1, activate: nextStart, settings, cancellationToken);
        }

        keys = await db.SigningKeys.AsNoTracking().Where(k => k.RetireDateTime > now).ToListAsync(cancellationToken);
        _snapshot = Build(keys, now);
    }

    /// <summary>
    /// Emergency rollover, staged on <paramref name="db"/> for the caller to save with its audit entry (then
    /// <see cref="RefreshAsync"/>): a new key signs from now on, on every node after its next refresh. The keys that
    /// signed until now stay published, so that the tokens they signed stay valid, until <paramref name="retirePreviousAt"/>
    /// (at once when it is now; their natural retirement when null; never later than that). A key published ahead of
    /// its period is replaced too, having been exposed with the others. The schedule resumes at the next period.
    /// </summary>
    /// <returns>The new key and the keys it replaces.</returns>
    public async Task<(SigningKey Active, IReadOnlyList<SigningKey> Previous)> StageRotationAsync(
        TesseraDbContext db, DateTimeOffset? retirePreviousAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var settings = options.Value.SigningKeys;
        var now = time.GetUtcNow();
        var live = await db.SigningKeys.Where(k => k.RetireDateTime > now).ToListAsync(cancellationToken);

        // Keys published ahead have signed nothing: dropping them costs no token; the next refresh makes a new one.
        db.SigningKeys.RemoveRange(live.Where(k => k.ActivateDateTime > now));
        var previous = live.Where(k => k.ActivateDateTime <= now).ToList();
        foreach (var key in previous)
        {
            key.DeactivateDateTime = key.DeactivateDateTime < now ? key.DeactivateDateTime : now;
            if (retirePreviousAt is { } retire && retire < key.RetireDateTime)
            {
                key.RetireDateTime = retire < now ? now : retire;
            }
        }

        // Outside the schedule: a random negative generation never meets a scheduled one (nor another rollover's).
        var generation = -1 - (System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) & long.MaxValue);
        var active = NewKey(generation, now, StartOf(GenerationAt(now, settings.RotationPeriod) + 1, settings.RotationPeriod));
        db.SigningKeys.Add(active);
        LogEmergencyRollover(logger, active.Id, previous.Count, previous.Select(k => k.RetireDateTime).DefaultIfEmpty(now).Max());
        return (active, previous);
    }

    /// <summary>Every key not yet retired, oldest first: what the admin API lists.</summary>
    public async Task<IReadOnlyList<SigningKey>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TesseraDbContext>();
        var keys = await db.SigningKeys.AsNoTracking().Where(k => k.RetireDateTime > now).ToListAsync(cancellationToken);
        return [.. keys.OrderBy(k => k.ActivateDateTime)];
    }

    private SigningKey NewKey(long generation, DateTimeOffset activate, DateTimeOffset deactivate)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKey
        {
            Id = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            Algorithm = Algorithm,
            Generation = generation,
            ProtectedPrivateKey = Convert.ToBase64String(_protector.Protect(ecdsa.ExportPkcs8PrivateKey())),
            CreatedDateTime = time.GetUtcNow(),
            ActivateDateTime = activate,
            DeactivateDateTime = deactivate,
            RetireDateTime = deactivate + LongestSignedLifetime,
        };
    }

    private async Task TryCreateAsync(TesseraDbContext db, long generation, DateTimeOffset activate, SigningKeyOptions settings, CancellationToken cancellationToken)
    {
        var key = NewKey(generation, activate, StartOf(generation + 1, settings.RotationPeriod));
        db.SigningKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            LogKeyCreated(logger, key.Id, generation, activate);
        }
        catch (DbUpdateException)
        {
            // Another node created this generation's key first; the reload below picks up theirs.
            db.ChangeTracker.Clear();
        }
    }

    private Snapshot Build(List<SigningKey> keys, DateTimeOffset now)
    {
        var entries = new List<Entry>(keys.Count);
        SigningCredentials? active = null;
        DateTimeOffset activeSince = DateTimeOffset.MinValue;

        foreach (var key in keys.OrderBy(k => k.ActivateDateTime))
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(_protector.Unprotect(Convert.FromBase64String(key.ProtectedPrivateKey)), out _);
            var securityKey = new ECDsaSecurityKey(ecdsa) { KeyId = key.Id };
            var credentials = new SigningCredentials(securityKey, key.Algorithm);
            var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
            entries.Add(new Entry(credentials, key.RetireDateTime, new JsonWebKey
            {
                Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve,
                Use = JsonWebKeyUseNames.Sig,
                Alg = key.Algorithm,
                Kid = key.Id,
                Crv = JsonWebKeyECTypes.P256,
                X = Base64UrlEncoder.Encode(parameters.Q.X),
                Y = Base64UrlEncoder.Encode(parameters.Q.Y),
            }));

            // The newest key whose time has come signs; a key published ahead waits for its moment.
            if (key.ActivateDateTime <= now && key.ActivateDateTime >= activeSince)
            {
                active = credentials;
                activeSince = key.ActivateDateTime;
            }
        }

        if (active is null)
        {
            throw new InvalidOperationException("No signing key is active; the key ring in the database is inconsistent.");
        }

        return new Snapshot(active, entries, [.. entries.Select(e => e.Credentials.Key)], [.. entries.Select(e => e.JsonWebKey)],
            entries.Select(e => e.Retire).DefaultIfEmpty(DateTimeOffset.MaxValue).Min());
    }

    private static long GenerationAt(DateTimeOffset instant, TimeSpan period) => (instant - Epoch).Ticks / period.Ticks;

    private static DateTimeOffset StartOf(long generation, TimeSpan period) => Epoch + TimeSpan.FromTicks(generation * period.Ticks);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "TSR6101: Created signing key {KeyId} of generation {Generation}; it signs from {Activate:o}.")]
    private static partial void LogKeyCreated(ILogger logger, string keyId, long generation, DateTimeOffset activate);

    [LoggerMessage(EventId = 8220, Level = LogLevel.Warning, Message = "TSR8220: Emergency rollover: signing key {KeyId} signs from now on; the {Count} keys it replaces stay published until {Retire:o}.")]
    private static partial void LogEmergencyRollover(ILogger logger, string keyId, int count, DateTimeOffset retire);

    private sealed record Entry(SigningCredentials Credentials, DateTimeOffset Retire, JsonWebKey JsonWebKey);

    /// <summary>The ring as read, with the earliest moment a key in it retires (then it is filtered without a read).</summary>
    private sealed record Snapshot(
        SigningCredentials Active, IReadOnlyList<Entry> Entries, IReadOnlyList<SecurityKey> Published, IReadOnlyList<JsonWebKey> JsonWebKeys,
        DateTimeOffset NextRetirement);
}
