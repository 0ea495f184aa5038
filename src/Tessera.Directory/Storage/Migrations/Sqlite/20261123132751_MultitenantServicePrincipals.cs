using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MultitenantServicePrincipals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TenantServicePrincipals",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    AppRoleAssignmentRequired = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    ConcurrencyStamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TenantServicePrincipals", x => new { x.TenantId, x.AppId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_TenantServicePrincipals_AppId",
                table: "TenantServicePrincipals",
                column: "AppId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TenantServicePrincipals");
        }
    }
}
