using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Postgres
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
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ExpiryNoticeDateTime",
                table: "PasswordCredentials",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ExpiryNoticeDateTime",
                table: "KeyCredentials",
                type: "timestamp with time zone",
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
