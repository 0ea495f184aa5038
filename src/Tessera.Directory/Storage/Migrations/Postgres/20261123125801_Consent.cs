using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Postgres
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
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<int>(
                name: "PasswordCredentialMaxLifetimeDays",
                table: "Tenants",
                type: "integer",
                nullable: false,
                defaultValue: 730);

            migrationBuilder.AddColumn<string>(
                name: "UserConsentPolicy",
                table: "Tenants",
                type: "character varying(128)",
                maxLength: 128,
                nullable: false,
                defaultValue: "ManagePermissionGrantsForSelf.microsoft-user-default-low");

            migrationBuilder.AddColumn<string>(
                name: "GroupMembershipClaims",
                table: "Applications",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.AddColumn<string>(
                name: "RequiredResourceAccess",
                table: "Applications",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VerifiedPublisher",
                table: "Applications",
                type: "jsonb",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AdminConsentRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ResourceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Scope = table.Column<string>(type: "text", nullable: false),
                    RequestedById = table.Column<Guid>(type: "uuid", nullable: false),
                    Reason = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReviewedById = table.Column<Guid>(type: "uuid", nullable: true),
                    ReviewedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ConcurrencyStamp = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AdminConsentRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DelegatedPermissionClassifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ResourceId = table.Column<Guid>(type: "uuid", nullable: false),
                    PermissionId = table.Column<Guid>(type: "uuid", nullable: false),
                    PermissionName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Classification = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DelegatedPermissionClassifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FederatedIdentityCredentials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ApplicationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    Issuer = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false),
                    Subject = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false),
                    Audiences = table.Column<List<string>>(type: "text[]", nullable: false),
                    Description = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: true)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConsentType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    PrincipalId = table.Column<Guid>(type: "uuid", nullable: false),
                    ResourceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Scope = table.Column<string>(type: "text", nullable: false),
                    CreatedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ConcurrencyStamp = table.Column<Guid>(type: "uuid", nullable: false)
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
