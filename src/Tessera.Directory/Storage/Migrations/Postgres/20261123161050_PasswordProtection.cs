using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PasswordProtection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "BannedPasswords",
                table: "Tenants",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<bool>(
                name: "EnforceBannedPasswords",
                table: "Tenants",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "LockoutDurationSeconds",
                table: "Tenants",
                type: "integer",
                nullable: false,
                defaultValue: 60);

            migrationBuilder.AddColumn<int>(
                name: "LockoutThreshold",
                table: "Tenants",
                type: "integer",
                nullable: false,
                defaultValue: 10);

            migrationBuilder.AddColumn<string>(
                name: "SourcePrefix",
                table: "SignInEvents",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "AccountLockouts",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    FamiliarSource = table.Column<bool>(type: "boolean", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    Lockouts = table.Column<int>(type: "integer", nullable: false),
                    LockedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastFailure = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RecentFailureHashes = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ConcurrencyStamp = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountLockouts", x => new { x.UserId, x.FamiliarSource });
                    table.ForeignKey(
                        name: "FK_AccountLockouts_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RiskDetections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    RiskEventType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RiskLevel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RiskState = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Activity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    IpAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourcePrefix = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    DetectedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastUpdatedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    TargetedAccounts = table.Column<int>(type: "integer", nullable: false),
                    AdditionalInfo = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RiskDetections", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SignInEvents_TenantId_SourcePrefix_CreatedDateTime",
                table: "SignInEvents",
                columns: new[] { "TenantId", "SourcePrefix", "CreatedDateTime" });

            migrationBuilder.CreateIndex(
                name: "IX_SignInEvents_UserId_SourcePrefix",
                table: "SignInEvents",
                columns: new[] { "UserId", "SourcePrefix" });

            migrationBuilder.CreateIndex(
                name: "IX_RiskDetections_TenantId_DetectedDateTime",
                table: "RiskDetections",
                columns: new[] { "TenantId", "DetectedDateTime" });

            migrationBuilder.CreateIndex(
                name: "IX_RiskDetections_TenantId_SourcePrefix",
                table: "RiskDetections",
                columns: new[] { "TenantId", "SourcePrefix" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountLockouts");

            migrationBuilder.DropTable(
                name: "RiskDetections");

            migrationBuilder.DropIndex(
                name: "IX_SignInEvents_TenantId_SourcePrefix_CreatedDateTime",
                table: "SignInEvents");

            migrationBuilder.DropIndex(
                name: "IX_SignInEvents_UserId_SourcePrefix",
                table: "SignInEvents");

            migrationBuilder.DropColumn(
                name: "BannedPasswords",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "EnforceBannedPasswords",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "LockoutDurationSeconds",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "LockoutThreshold",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "SourcePrefix",
                table: "SignInEvents");
        }
    }
}
