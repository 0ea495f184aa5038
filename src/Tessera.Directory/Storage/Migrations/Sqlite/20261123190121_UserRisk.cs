using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UserRisk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "UserId",
                table: "RiskDetections",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UserPrincipalName",
                table: "RiskDetections",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_RiskDetections_TenantId_UserId",
                table: "RiskDetections",
                columns: new[] { "TenantId", "UserId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RiskDetections_TenantId_UserId",
                table: "RiskDetections");

            migrationBuilder.DropColumn(
                name: "UserId",
                table: "RiskDetections");

            migrationBuilder.DropColumn(
                name: "UserPrincipalName",
                table: "RiskDetections");
        }
    }
}
