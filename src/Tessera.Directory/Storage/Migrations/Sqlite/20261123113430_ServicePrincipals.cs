using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ServicePrincipals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AppRoleAssignments_PrincipalId_ResourceAppId",
                table: "AppRoleAssignments");

            migrationBuilder.AddColumn<bool>(
                name: "AppRoleAssignmentRequired",
                table: "Applications",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "ServicePrincipalEnabled",
                table: "Applications",
                type: "INTEGER",
                nullable: false,
                defaultValue: true); // every application that existed before had an enabled service principal

            // The same role granted twice to the same principal gave nothing more; keep one before the index forbids it.
            migrationBuilder.Sql(@"DELETE FROM ""AppRoleAssignments"" WHERE rowid NOT IN (SELECT MIN(rowid) FROM ""AppRoleAssignments"" GROUP BY ""PrincipalId"", ""ResourceAppId"", ""AppRoleId"");");

            migrationBuilder.CreateIndex(
                name: "IX_AppRoleAssignments_PrincipalId_ResourceAppId_AppRoleId",
                table: "AppRoleAssignments",
                columns: new[] { "PrincipalId", "ResourceAppId", "AppRoleId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AppRoleAssignments_ResourceAppId",
                table: "AppRoleAssignments",
                column: "ResourceAppId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AppRoleAssignments_PrincipalId_ResourceAppId_AppRoleId",
                table: "AppRoleAssignments");

            migrationBuilder.DropIndex(
                name: "IX_AppRoleAssignments_ResourceAppId",
                table: "AppRoleAssignments");

            migrationBuilder.DropColumn(
                name: "AppRoleAssignmentRequired",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "ServicePrincipalEnabled",
                table: "Applications");

            migrationBuilder.CreateIndex(
                name: "IX_AppRoleAssignments_PrincipalId_ResourceAppId",
                table: "AppRoleAssignments",
                columns: new[] { "PrincipalId", "ResourceAppId" });
        }
    }
}
