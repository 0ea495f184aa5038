using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Directory.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build each flavour without a running server.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTesseraDbContext>
{
    public SqliteTesseraDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteTesseraDbContext>().UseSqlite("Data Source=design.db")
            .UseApplicationServiceProvider(DesignTimeServices.Identity).Options);
}

/// <inheritdoc cref="SqliteDesignTimeFactory"/>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTesseraDbContext>
{
    public PostgresTesseraDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgresTesseraDbContext>().UseNpgsql("Host=localhost")
            .UseApplicationServiceProvider(DesignTimeServices.Identity).Options);
}

/// <summary>The Identity options the server's storage registration sets, for a model built without the server.</summary>
internal static class DesignTimeServices
{
    public static readonly IServiceProvider Identity = new ServiceCollection()
        .Configure<IdentityOptions>(identity => identity.Stores.SchemaVersion = TesseraDbContext.IdentitySchema)
        .BuildServiceProvider();
}
