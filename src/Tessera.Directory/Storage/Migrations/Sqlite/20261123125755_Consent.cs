using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Consent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ConcurrencyStamp",
                table: "Tenants",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<int>(
                name: "PasswordCredentialMaxLifetimeDays",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 730);

            migrationBuilder.AddColumn<string>(
                name: "UserConsentPolicy",
                table: "Tenants",
                type: "TEXT",
                maxLength: 128,
                nullable: false,
                defaultValue: "ManagePermissionGrantsForSelf.microsoft-user-default-low");

            migrationBuilder.AddColumn<string>(
                name: "GroupMembershipClaims",
                table: "Applications",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.AddColumn<string>(
                name: "RequiredResourceAccess",
                table: "Applications",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VerifiedPublisher",
                table: "Applications",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AdminConsentRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResourceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Scope = table.Column<string>(type: "TEXT", nullable: false),
                    RequestedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    ReviewedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReviewedDateTime = table.Column<long>(type: "INTEGER", nullable: true),
                    ConcurrencyStamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AdminConsentRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DelegatedPermissionClassifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResourceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PermissionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PermissionName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Classification = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DelegatedPermissionClassifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FederatedIdentityCredentials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Issuer = table.Column<string>(type: "TEXT", maxLength: 600, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 600, nullable: false),
                    Audiences = table.Column<string>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 600, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FederatedIdentityCredentials", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FederatedIdentityCredentials_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OAuth2PermissionGrants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConsentType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PrincipalId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResourceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Scope = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    ConcurrencyStamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OAuth2PermissionGrants", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AdminConsentRequests_TenantId_Status",
                table: "AdminConsentRequests",
                columns: new[] { "TenantId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_DelegatedPermissionClassifications_ResourceId_PermissionId",
                table: "DelegatedPermissionClassifications",
                columns: new[] { "ResourceId", "PermissionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FederatedIdentityCredentials_ApplicationId_Name",
                table: "FederatedIdentityCredentials",
                columns: new[] { "ApplicationId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OAuth2PermissionGrants_ClientId_ResourceId_PrincipalId",
                table: "OAuth2PermissionGrants",
                columns: new[] { "ClientId", "ResourceId", "PrincipalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OAuth2PermissionGrants_TenantId_PrincipalId",
                table: "OAuth2PermissionGrants",
                columns: new[] { "TenantId", "PrincipalId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AdminConsentRequests");

            migrationBuilder.DropTable(
                name: "DelegatedPermissionClassifications");

            migrationBuilder.DropTable(
                name: "FederatedIdentityCredentials");

            migrationBuilder.DropTable(
                name: "OAuth2PermissionGrants");

            migrationBuilder.DropColumn(
                name: "ConcurrencyStamp",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "PasswordCredentialMaxLifetimeDays",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "UserConsentPolicy",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "GroupMembershipClaims",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "RequiredResourceAccess",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "VerifiedPublisher",
                table: "Applications");
        }
    }
}
