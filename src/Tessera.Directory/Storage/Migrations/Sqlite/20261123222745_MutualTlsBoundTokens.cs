using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MutualTlsBoundTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "TlsClientCertificateBoundAccessTokens",
                table: "Applications",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TlsClientCertificateBoundAccessTokens",
                table: "Applications");
        }
    }
}
