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

    private Snapshot Current => _snapshot ?? throw new InvalidOperationException("The signing key ring has not been loaded yet.");

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

    private async Task TryCreateAsync(TesseraDbContext db, long generation, DateTimeOffset activate, SigningKeyOptions settings, CancellationToken cancellationToken)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var deactivate = StartOf(generation + 1, settings.RotationPeriod);
        var key = new SigningKey
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
        var published = new List<SecurityKey>(keys.Count);
        var jwks = new List<JsonWebKey>(keys.Count);
        SigningCredentials? active = null;
        DateTimeOffset activeSince = DateTimeOffset.MinValue;

        foreach (var key in keys.OrderBy(k => k.Generation))
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(_protector.Unprotect(Convert.FromBase64String(key.ProtectedPrivateKey)), out _);
            var securityKey = new ECDsaSecurityKey(ecdsa) { KeyId = key.Id };
            published.Add(securityKey);

            var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
            jwks.Add(new JsonWebKey
            {
                Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve,
                Use = JsonWebKeyUseNames.Sig,
                Alg = key.Algorithm,
                Kid = key.Id,
                Crv = JsonWebKeyECTypes.P256,
                X = Base64UrlEncoder.Encode(parameters.Q.X),
                Y = Base64UrlEncoder.Encode(parameters.Q.Y),
            });

            // The newest key whose time has come signs; a key published ahead waits for its moment.
            if (key.ActivateDateTime <= now && key.ActivateDateTime >= activeSince)
            {
                active = new SigningCredentials(securityKey, key.Algorithm);
                activeSince = key.ActivateDateTime;
            }
        }

        if (active is null)
        {
            throw new InvalidOperationException("No signing key is active; the key ring in the database is inconsistent.");
        }

        return new Snapshot(active, published, jwks);
    }

    private static long GenerationAt(DateTimeOffset instant, TimeSpan period) => (instant - Epoch).Ticks / period.Ticks;

    private static DateTimeOffset StartOf(long generation, TimeSpan period) => Epoch + TimeSpan.FromTicks(generation * period.Ticks);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "TSR6101: Created signing key {KeyId} of generation {Generation}; it signs from {Activate:o}.")]
    private static partial void LogKeyCreated(ILogger logger, string keyId, long generation, DateTimeOffset activate);

    private sealed record Snapshot(SigningCredentials Active, IReadOnlyList<SecurityKey> Published, IReadOnlyList<JsonWebKey> JsonWebKeys);
}
