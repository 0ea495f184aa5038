using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Postgres
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
                type: "boolean",
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
