using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PasswordProtection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BannedPasswords",
                table: "Tenants",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<bool>(
                name: "EnforceBannedPasswords",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "LockoutDurationSeconds",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 60);

            migrationBuilder.AddColumn<int>(
                name: "LockoutThreshold",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 10);

            migrationBuilder.AddColumn<string>(
                name: "SourcePrefix",
                table: "SignInEvents",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "AccountLockouts",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FamiliarSource = table.Column<bool>(type: "INTEGER", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Failures = table.Column<int>(type: "INTEGER", nullable: false),
                    Lockouts = table.Column<int>(type: "INTEGER", nullable: false),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    LastFailure = table.Column<long>(type: "INTEGER", nullable: true),
                    RecentFailureHashes = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ConcurrencyStamp = table.Column<Guid>(type: "TEXT", nullable: false)
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RiskEventType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RiskLevel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RiskState = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Activity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    IpAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SourcePrefix = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DetectedDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    LastUpdatedDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    TargetedAccounts = table.Column<int>(type: "INTEGER", nullable: false),
                    AdditionalInfo = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true)
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
