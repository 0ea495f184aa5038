namespace Tessera.Directory.Storage;

/// <summary>Where the directory lives: <c>Tessera:Storage</c> in configuration.</summary>
public sealed class StorageOptions
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    public string Provider { get; set; } = Sqlite;

    /// <summary>For PostgreSQL, the Npgsql connection string. For SQLite, empty means <c>tessera.db</c> in the data folder.</summary>
    public string? ConnectionString { get; set; }
}
