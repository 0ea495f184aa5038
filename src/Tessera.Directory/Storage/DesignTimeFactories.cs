using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Tessera.Directory.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build each flavour without a running server.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTesseraDbContext>
{
    public SqliteTesseraDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteTesseraDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <inheritdoc cref="SqliteDesignTimeFactory"/>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTesseraDbContext>
{
    public PostgresTesseraDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgresTesseraDbContext>().UseNpgsql("Host=localhost").Options);
}
