using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SignInLogs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SignInEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    UserPrincipalName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    UserDisplayName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    AppId = table.Column<Guid>(type: "uuid", nullable: false),
                    AppDisplayName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ResourceId = table.Column<Guid>(type: "uuid", nullable: true),
                    IpAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UserAgent = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    ClientAppUsed = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IsInteractive = table.Column<bool>(type: "boolean", nullable: false),
                    ErrorCode = table.Column<int>(type: "integer", nullable: false),
                    FailureReason = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    AuthenticationMethods = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SignInEventType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CorrelationId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignInEvents", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SignInEvents_TenantId_CreatedDateTime",
                table: "SignInEvents",
                columns: new[] { "TenantId", "CreatedDateTime" });

            migrationBuilder.CreateIndex(
                name: "IX_SignInEvents_TenantId_UserId",
                table: "SignInEvents",
                columns: new[] { "TenantId", "UserId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SignInEvents");
        }
    }
}
