using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WorkloadCredentialHygiene : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "PasswordAdditionBlocked",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "ExpiryNoticeDateTime",
                table: "PasswordCredentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ExpiryNoticeDateTime",
                table: "KeyCredentials",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PasswordAdditionBlocked",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "ExpiryNoticeDateTime",
                table: "PasswordCredentials");

            migrationBuilder.DropColumn(
                name: "ExpiryNoticeDateTime",
                table: "KeyCredentials");
        }
    }
}
