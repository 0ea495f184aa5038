using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Policy.Errors;

namespace Tessera.Directory.Storage;

/// <summary>Registers the database of the chosen provider and brings its schema up to date.</summary>
public static class StorageRegistration
{
    public static IServiceCollection AddTesseraStorage(this IServiceCollection services, StorageOptions storage, string defaultSqlitePath)
    {
        ArgumentNullException.ThrowIfNull(storage);
        services.Configure<IdentityOptions>(identity => identity.Stores.SchemaVersion = TesseraDbContext.IdentitySchema);
        switch (storage.Provider)
        {
            case var p when p.Equals(StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase):
                var sqlite = string.IsNullOrWhiteSpace(storage.ConnectionString) ? $"Data Source={defaultSqlitePath}" : storage.ConnectionString;
                CreateOwnerOnly(defaultSqlitePath);
                services.AddDbContextPool<TesseraDbContext, SqliteTesseraDbContext>(options => options.UseSqlite(sqlite));
                break;
            case var p when p.Equals(StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase):
                if (string.IsNullOrWhiteSpace(storage.ConnectionString))
                {
                    throw new TesseraConfigurationException(TesseraErrors.PostgresConnectionStringMissing);
                }

                services.AddDbContextPool<TesseraDbContext, PostgresTesseraDbContext>(options => options.UseNpgsql(storage.ConnectionString));
                break;
            default:
                throw new TesseraConfigurationException(TesseraErrors.StorageProviderUnknown.With(storage.Provider));
        }

        return services;
    }

    // SQLite gives its -wal and -shm files the database file's mode: create it owner-only before SQLite does.
    private static void CreateOwnerOnly(string path)
    {
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
    }

    /// <summary>Applies pending migrations; on SQLite also turns on write-ahead logging so readers never wait for writers.</summary>
    public static async Task MigrateAsync(TesseraDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
