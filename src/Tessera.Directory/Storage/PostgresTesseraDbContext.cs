using Microsoft.EntityFrameworkCore;

namespace Tessera.Directory.Storage;

/// <summary>The PostgreSQL flavour: several server processes share one database.</summary>
public sealed class PostgresTesseraDbContext(DbContextOptions<PostgresTesseraDbContext> options) : TesseraDbContext(options);
